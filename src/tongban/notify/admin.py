"""Back office: template wording (checked before it is saved) and the outbox, where
dead messages can be sent again."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from tongban.accounts.access import can
from tongban.accounts.roles import Action
from tongban.lib.admin import ReadOnlyAdmin
from tongban.lib.errors import ApplicationError
from tongban.notify import events, services
from tongban.notify.message_templates import check_template
from tongban.notify.models import Message, OptOut, Template


class TemplateForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = ("event", "channel", "subject", "body", "provider_template", "enabled")

    def clean(self):
        data = super().clean()
        try:
            check_template(event=data.get("event", ""), channel=data.get("channel", ""),
                           subject=data.get("subject", ""), body=data.get("body", ""),
                           provider_template=data.get("provider_template", ""),
                           enabled=bool(data.get("enabled")))
        except ApplicationError as exc:
            raise ValidationError({exc.field or "__all__": exc.message}) from None
        return data


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    list_display = ("event_label", "event", "channel", "subject", "provider_template", "enabled", "updated_at")
    list_filter = ("channel", "enabled", "event")
    search_fields = ("event", "subject", "body")
    readonly_fields = ("variables",)

    # the service checks notify.manage too; asked here first, so the save cannot fail on it
    def has_add_permission(self, request):
        return super().has_add_permission(request) and can(request.user, Action.NOTIFY_MANAGE)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can(request.user, Action.NOTIFY_MANAGE)

    def save_model(self, request, obj, form, change):
        services.save_template(actor=request.user, template=obj)

    def has_delete_permission(self, request, obj=None):
        return False  # an event without its inbox wording could tell no one: disable a channel instead

    @admin.display(description=_("Event name"))
    def event_label(self, obj):
        event = events.EVENTS.get(obj.event)
        return event.label if event else obj.event

    @admin.display(description=_("Available variables"))
    def variables(self, obj):
        event = events.EVENTS.get(obj.event)
        if not event:
            return "—"
        return pgettext("list separator", "; ").join(f"{{{k}}} {v}" for k, v in event.variables.items())


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "recipient", "person", "channel", "event", "status", "attempts",
                    "next_attempt_at", "short_error")
    list_filter = ("status", "channel", "event")
    search_fields = ("key", "recipient__username", "person__name", "provider_id")
    list_select_related = ("recipient", "person")
    date_hierarchy = "created_at"
    actions = ["retry"]
    readonly_fields = [f.name for f in Message._meta.fields]

    @admin.display(description=_("Error"))
    def short_error(self, obj):
        return obj.error[:60]

    @admin.action(description=_("Send the selected given-up messages again"))
    def retry(self, request, queryset):
        try:
            count = services.retry_dead(actor=request.user, message_ids=queryset.values_list("pk", flat=True))
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, gettext("%(count)s messages queued again.") % {"count": count}, messages.SUCCESS)


class OptOutForm(forms.ModelForm):
    """A person (by their record) or a bare phone number, and why."""

    phone = forms.CharField(label=_("Mobile number"), required=False, max_length=20,
                            help_text=_("When no person is chosen: this number will receive no more text messages."))

    class Meta:
        model = OptOut
        fields = ("person", "phone", "reason")


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    """Staff record a TD/退订 reply or a call here (the provider's replies do not reach the
    hall); every text, to an account or to a person with none, respects it."""

    form = OptOutForm
    list_display = ("created_at", "person", "phone_masked", "reason", "recorded_by")
    raw_id_fields = ("person",)
    search_fields = ("person__name", "person__student_number")
    actions = ["lift"]

    def has_change_permission(self, request, obj=None):
        return False  # an opt-out is recorded or lifted, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # lifted through the action below, onto the trail

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        admin_request = request

        class Checked(form):
            def clean(self):
                data = super().clean()
                try:
                    services.check_opt_out(actor=admin_request.user, person=data.get("person"),
                                           phone=data.get("phone", ""), reason=data.get("reason", ""))
                except ApplicationError as exc:
                    raise ValidationError({exc.field if exc.field in self.fields else "__all__": exc.message}) \
                        from None
                return data

        return Checked

    def save_model(self, request, obj, form, change):
        saved = services.record_opt_out(actor=request.user, person=form.cleaned_data.get("person"),
                                        phone=form.cleaned_data.get("phone", ""), reason=form.cleaned_data["reason"])
        obj.pk = saved.pk

    @admin.action(description=_("Lift the selected SMS opt-outs"))
    def lift(self, request, queryset):
        try:
            for opt_out in queryset.select_related("person__org_unit"):
                services.lift_opt_out(actor=request.user, opt_out=opt_out)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, gettext("Opt-out lifted."), messages.SUCCESS)
