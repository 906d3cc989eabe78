from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tongban.accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self) -> None:
        from tongban.accounts.access import memberships_of
        from tongban.audit.services import register_first_membership

        # An entry made without naming a role is made in the actor's first one.
        register_first_membership(lambda actor: next(iter(memberships_of(actor)), None))
