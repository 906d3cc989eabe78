from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "tongban.assistant"
    verbose_name = _("Assistant")

    def ready(self) -> None:
        from tongban.assistant import notices  # noqa: F401  (registrations)
        from tongban.assistant.index import catalog_changed
        from tongban.catalog import listeners

        listeners.on_change(catalog_changed)
