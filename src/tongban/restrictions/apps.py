from django.apps import AppConfig


class RestrictionsConfig(AppConfig):
    name = "tongban.restrictions"
    verbose_name = "限制（黑名单）"

    def ready(self) -> None:
        from tongban.cases import guards
        from tongban.restrictions import notices  # noqa: F401  (registrations)
        from tongban.restrictions.services import guard_applying

        guards.register("restrictions", guard_applying)
