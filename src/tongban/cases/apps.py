from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tongban.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from tongban.cases import notices  # noqa: F401 - registers the case events
        from tongban.cases.todos import todos_of
        from tongban.notify import todos

        todos.register("cases", todos_of)
        # each app's `documents` module registers what a completion issues (issued_with)
        autodiscover_modules("documents")
