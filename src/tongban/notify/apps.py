from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "tongban.notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from tongban.notify import message_templates

        # Shipped wording becomes editable rows once the table exists; existing rows
        # (an admin's edits) are never touched.
        post_migrate.connect(message_templates.ensure_defaults_after_migrate, sender=self)
        from tongban.notify.hooks import import_finished
        from tongban.people import jobs

        if import_finished not in jobs.finished:
            jobs.finished.append(import_finished)
        setting_changed.connect(_forget_transports)


def _forget_transports(*, setting, **kwargs) -> None:
    if setting.startswith(("NOTIFY_", "EMAIL_")):
        from tongban.notify import transports

        transports.reset()
