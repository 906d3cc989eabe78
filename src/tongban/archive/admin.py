from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from tongban.accounts.access import can
from tongban.accounts.roles import Action
from tongban.archive import services
from tongban.archive.models import SealAuthority, SealKey
from tongban.lib.admin import ReadOnlyAdmin
from tongban.lib.errors import ApplicationError, PermissionDenied, StateConflict


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, widget=forms.TextInput(attrs={"size": 60}))


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

    @admin.display(description="状态")
    def state(self, obj):
        return obj.state

    @admin.display(description="操作")
    def key_actions(self, obj):
        if obj.revoked_at:
            return "—"
        links = [format_html('<a class="button" href="{}">吊销此密钥</a>', reverse("admin:archive_sealkey_revoke",
                                                                              args=[obj.pk]))]
        if not obj.retired_at:
            links.insert(0, format_html('<a class="button" href="{}">更换密钥</a>',
                                        reverse("admin:archive_sealkey_renew", args=[obj.pk])))
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
        return self._act(request, pk, title="更换签章密钥", verb="更换",
                         explain="为该单位签发新的签章密钥和证书；旧密钥停用，此前盖的章依然有效。",
                         act=lambda key, reason: services.renew_seal_key(actor=request.user, unit=key.org_unit,
                                                                         reason=reason),
                         done="已为{unit}更换签章密钥。")

    def revoke_view(self, request, pk: int):
        return self._act(request, pk, title="吊销签章密钥", verb="吊销",
                         explain="密钥遗失或可能被他人掌握时吊销。吊销后，只有审计记录证明在吊销前盖章的文件仍被核验为可信；"
                                 "该单位下次盖章时自动启用新密钥。",
                         act=lambda key, reason: services.revoke_seal_key(actor=request.user, key=key, reason=reason),
                         done="已吊销{unit}的签章密钥。")

    def _act(self, request, pk: int, *, title, verb, explain, act, done):
        key = SealKey.objects.select_related("org_unit").filter(pk=pk).first()
        if key is None:
            return redirect("admin:archive_sealkey_changelist")
        if not can(request.user, Action.ORG_MANAGE, unit=key.org_unit):
            raise Forbidden("只有系统管理员可以更换或吊销签章密钥。")
        if key.revoked_at or (verb == "更换" and key.retired_at):
            self.message_user(request, f"该密钥{key.state}，不能{verb}。", messages.ERROR)
            return redirect("admin:archive_sealkey_change", pk)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                act(key, form.cleaned_data["reason"])
            except (ApplicationError, PermissionDenied, StateConflict) as exc:
                self.message_user(request, f"未{verb}：{exc.message}", messages.ERROR)
            else:
                self.message_user(request, done.format(unit=key.org_unit.name), messages.SUCCESS)
                return redirect("admin:archive_sealkey_changelist")
        return render(request, "admin/archive/sealkey/act.html", {
            **self.admin_site.each_context(request), "title": title, "key": key, "form": form, "explain": explain,
            "verb": verb, "opts": self.model._meta})


@admin.register(SealAuthority)
class SealAuthorityAdmin(ReadOnlyAdmin):
    list_display = ("subject", "serial", "not_before", "not_after", "created_at")
    fields = ("name", "subject", "serial", "not_before", "not_after", "created_at", "certificate_pem")
    readonly_fields = fields
