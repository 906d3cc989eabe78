from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from tongban.accounts.roles import Role


class CaseInsensitiveUserManager(UserManager):
    """T90001 and t90001 are one account: every login (the applicants' and staff's form,
    /admin/login/, the API's session) finds the account through get_by_natural_key."""

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """An account. Who the account belongs to is the people app's Person.account."""

    objects = CaseInsensitiveUserManager()

    display_name = models.CharField("显示名", max_length=64, blank=True)
    # The official account's openid of this user, bound through WeChat web authorisation;
    # WeChat template messages go to it.
    wechat_openid = models.CharField("微信 openid", max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
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
        UNIVERSITY = "university", "高校"
        OFFICE = "office", "职能部门"
        COLLEGE = "college", "学院"
        CITY_BUREAU = "city_bureau", "市公安局"
        BRANCH = "branch", "分局"
        STATION = "station", "派出所"
        OTHER = "other", "其他"

    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=128)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField("层级", default=0, editable=False)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "组织单位"
        verbose_name_plural = "组织单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path)


class Membership(models.Model):
    """A role held by a user in an org unit."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(OrgUnit, verbose_name="单位", on_delete=models.PROTECT)
    created_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org_unit"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org_unit}"


# Display choices (large-type mode) have a module of their own; imported here so that the
# app's models are all known when Django loads them.
from tongban.accounts.display import DisplayPreference  # noqa: E402, F401
