from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from tongban.cases import messages  # noqa: F401 - registers the case events

        # each app's `documents` module registers what a completion issues (issued_with)
        autodiscover_modules("documents")
