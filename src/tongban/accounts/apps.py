from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tongban.accounts"
    verbose_name = "账号与组织"

    def ready(self) -> None:
        from tongban.accounts.access import memberships_of
        from tongban.audit.services import register_first_membership

        # An entry made without naming a role is made in the actor's first one.
        register_first_membership(lambda actor: next(iter(memberships_of(actor)), None))
