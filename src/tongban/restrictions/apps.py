from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestrictionsConfig(AppConfig):
    name = "tongban.restrictions"
    verbose_name = _("Restrictions (blacklist)")

    def ready(self) -> None:
        from tongban.cases import guards
        from tongban.restrictions import notices  # noqa: F401  (registrations)
        from tongban.restrictions.services import guard_applying

        guards.register("restrictions", guard_applying)
