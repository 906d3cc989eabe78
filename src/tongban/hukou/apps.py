from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HukouConfig(AppConfig):
    name = "tongban.hukou"
    verbose_name = _("Collective household")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from tongban.cases import guards
        from tongban.hukou import audience, effects, notices, signals  # noqa: F401  (registrations)
        from tongban.hukou.services import ensure_default_agreement, guard_household

        guards.register("hukou", guard_household)

        post_migrate.connect(lambda **kwargs: ensure_default_agreement(), sender=self, weak=False)
