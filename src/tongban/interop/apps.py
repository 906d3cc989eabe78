from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "tongban.interop"
    label = "interop"
    verbose_name = _("Other systems")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tongban.audit.services import register_listener
        from tongban.interop import events, notices, push  # noqa: F401 - registers notices and the effect

        register_listener(events.on_record)
        from tongban.interop.todos import todos_of
        from tongban.notify import todos

        todos.register("interop", todos_of)
