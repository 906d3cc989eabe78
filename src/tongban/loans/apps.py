from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class LoansConfig(AppConfig):
    name = "tongban.loans"
    verbose_name = pgettext_lazy("app", "Loans")

    def ready(self) -> None:
        from tongban.hukou.services import register_card_lookup
        from tongban.loans import notices  # noqa: F401  (registrations)
        from tongban.loans.selectors import card_out

        register_card_lookup(card_out)  # hukou asks it before a household leaves or asks again
