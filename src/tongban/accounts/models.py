from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.accounts.roles import Role


class CaseInsensitiveUserManager(UserManager):
    """T90001 and t90001 are one account: every login (the applicants' and staff's form,
    /admin/login/, the API's session) finds the account through get_by_natural_key."""

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """An account. Who the account belongs to is the people app's Person.account."""

    objects = CaseInsensitiveUserManager()

    display_name = models.CharField(_("Display name"), max_length=64, blank=True)
    # The official account's openid of this user, bound through WeChat web authorisation;
    # WeChat template messages go to it.
    wechat_openid = models.CharField(_("WeChat openid"), max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            # Logins ignore case, so two accounts differing only by case could not both log in.
            models.UniqueConstraint(Lower("username"), name="username_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class OrgUnit(models.Model):
    """A node of the org tree: a university and its offices and colleges, a city bureau
    and its branches and stations. `path` is the materialised chain of ids from the
    root ("/1/4/9/"), so a subtree is one indexed prefix match."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        OFFICE = "office", _("Functional office")
        COLLEGE = "college", _("College")
        CITY_BUREAU = "city_bureau", _("City public security bureau")
        BRANCH = "branch", _("Branch bureau")
        STATION = "station", _("Police station")
        OTHER = "other", pgettext_lazy("unit kind", "Other")

    code = models.SlugField(_("Code"), max_length=64, unique=True)
    name = models.CharField(pgettext_lazy("of a unit", "Name"), max_length=128)
    kind = models.CharField(_("Kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("Parent unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("Path"), max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("Depth"), default=0, editable=False)
    is_active = models.BooleanField(_("Active"), default=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path)


class Membership(models.Model):
    """A role held by a user in an org unit."""

    user = models.ForeignKey(User, verbose_name=_("Account"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("Role"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("Unit"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("Granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org_unit"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org_unit}"


# Display choices (large-type mode) have a module of their own; imported here so that the
# app's models are all known when Django loads them.
from tongban.accounts.display import DisplayPreference  # noqa: E402, F401
