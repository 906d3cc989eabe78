from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "tongban.campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from tongban.campaigns import effects, notices  # noqa: F401  (registrations)
        from tongban.campaigns.todos import todos_of
        from tongban.notify import todos

        todos.register("campaigns", todos_of)
