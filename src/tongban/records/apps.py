from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "tongban.records"
    verbose_name = _("Household business archive")

    def ready(self) -> None:
        from tongban.records import hooks

        hooks.register()
