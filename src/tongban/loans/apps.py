from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "tongban.loans"
    verbose_name = "借用"

    def ready(self) -> None:
        from tongban.loans import messages  # noqa: F401  (registrations)
