from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from tongban.cases import messages  # noqa: F401 - registers the case events
