from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.accounts.access import can
from tongban.accounts.roles import Action
from tongban.archive import services
from tongban.archive.models import SealAuthority, SealKey
from tongban.lib.admin import ReadOnlyAdmin
from tongban.lib.errors import ApplicationError, NotAllowed, StateConflict
from tongban.lib.forms import add_service_error


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(attrs={"size": 60}))


@admin.register(SealKey)
class SealKeyAdmin(ReadOnlyAdmin):
    """Keys are made by the archive services only; the back office never sees a
    private key (not even encrypted). A system admin may replace a unit's key in use
    (its seals stay valid) or revoke a key that was lost or may be known to others."""

    list_display = ("org_unit", "subject", "serial", "state", "not_before", "not_after", "created_at")
    list_select_related = ("org_unit",)
    list_filter = ("org_unit",)
    search_fields = ("subject", "serial", "org_unit__name", "org_unit__code")
    fields = ("org_unit", "authority", "subject", "serial", "state", "not_before", "not_after", "created_at",
              "retired_at", "revoked_at", "revoked_reason", "key_actions", "certificate_pem")
    readonly_fields = fields

    @admin.display(description=_("Status"))
    def state(self, obj):
        return obj.state

    @admin.display(description=_("Actions"))
    def key_actions(self, obj):
        if obj.revoked_at:
            return "—"
        links = [format_html('<a class="button" href="{}">{}</a>', reverse("admin:archive_sealkey_revoke",
                                                                           args=[obj.pk]),
                             gettext("Revoke this key"))]
        if not obj.retired_at:
            links.insert(0, format_html('<a class="button" href="{}">{}</a>',
                                        reverse("admin:archive_sealkey_renew", args=[obj.pk]), gettext("Replace the "
                                                                                                       "key")))
        return format_html(" ".join(["{}"] * len(links)), *links)

    def get_urls(self):
        return [path("<int:pk>/renew/", self.admin_site.admin_view(self.renew_view), name="archive_sealkey_renew"),
                path("<int:pk>/revoke/", self.admin_site.admin_view(self.revoke_view), name="archive_sealkey_revoke"),
                *super().get_urls()]

    def has_module_permission(self, request):
        return super().has_module_permission(request) or can(request.user, Action.ORG_MANAGE)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or can(request.user, Action.ORG_MANAGE)

    def renew_view(self, request, pk: int):
        return self._act(request, pk, renew=True, title=gettext("Replace the seal key"),
                         confirm=gettext("Confirm the replacement"),
                         explain=gettext("A new seal key and certificate are issued for the unit; the old key is "
                                         "retired, and the seals it made stay valid."),
                         act=lambda key, reason: services.renew_seal_key(actor=request.user, unit=key.org_unit,
                                                                         reason=reason),
                         done=gettext("The seal key of %(unit)s was replaced."))

    def revoke_view(self, request, pk: int):
        return self._act(request, pk, renew=False, title=gettext("Revoke the seal key"),
                         confirm=gettext("Confirm the revocation"),
                         explain=gettext("Revoke a key that was lost or may be known to others. After that, only "
                                         "files the audit trail shows were sealed before the revocation are still "
                                         "verified as trusted; the unit's next seal starts a new key automatically."),
                         act=lambda key, reason: services.revoke_seal_key(actor=request.user, key=key, reason=reason),
                         done=gettext("The seal key of %(unit)s was revoked."))

    def _act(self, request, pk: int, *, renew: bool, title, confirm, explain, act, done):
        key = SealKey.objects.select_related("org_unit").filter(pk=pk).first()
        if key is None:
            return redirect("admin:archive_sealkey_changelist")
        if not can(request.user, Action.ORG_MANAGE, unit=key.org_unit):
            raise Forbidden(gettext("Only a system administrator may replace or revoke a seal key."))
        if key.revoked_at or (renew and key.retired_at):
            refused = (gettext("This key is %(state)s and cannot be replaced.") if renew
                       else gettext("This key is %(state)s and cannot be revoked."))
            self.message_user(request, refused % {"state": key.state}, messages.ERROR)
            return redirect("admin:archive_sealkey_change", pk)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                act(key, form.cleaned_data["reason"])
            except (ApplicationError, NotAllowed, StateConflict) as exc:
                add_service_error(form, exc)  # next to the reason, or above the form
            else:
                self.message_user(request, done % {"unit": key.org_unit.name}, messages.SUCCESS)
                return redirect("admin:archive_sealkey_changelist")
        return render(request, "admin/archive/sealkey/act.html", {
            **self.admin_site.each_context(request), "title": title, "key": key, "form": form, "explain": explain,
            "confirm": confirm, "opts": self.model._meta})


@admin.register(SealAuthority)
class SealAuthorityAdmin(ReadOnlyAdmin):
    list_display = ("subject", "serial", "not_before", "not_after", "created_at")
    fields = ("name", "subject", "serial", "not_before", "not_after", "created_at", "certificate_pem")
    readonly_fields = fields
