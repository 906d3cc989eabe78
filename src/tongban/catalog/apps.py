from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "tongban.catalog"
    verbose_name = _("Services")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from tongban.catalog.calendar_seed import after_migrate

        post_migrate.connect(after_migrate, sender=self, weak=False)
