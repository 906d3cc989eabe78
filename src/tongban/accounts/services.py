"""Writes to accounts, org units and memberships. Each is one transaction with its
audit entry."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.accounts.access import authorize
from tongban.accounts.models import Membership, OrgUnit, User
from tongban.accounts.roles import Action, Role
from tongban.audit.services import record
from tongban.lib.errors import ApplicationError, NotAllowed

USERNAME_TAKEN = gettext_lazy('The user name "%(username)s" is taken.')


@transaction.atomic
def create_org_unit(
    *, actor: User | None, code: str, name: str, kind: str, parent: OrgUnit | None = None
) -> OrgUnit:
    """Create a unit under `parent`. Refuses a duplicate code. `actor=None` is the
    system (seeding, migrations); anyone else needs org.manage."""
    if actor is not None:
        authorize(actor, Action.ORG_MANAGE)
    if OrgUnit.objects.filter(code=code).exists():
        raise ApplicationError("org_unit_code_taken",
            _("The unit code \"%(code)s\" exists already.") % {"code": code}, field="code")
    unit = OrgUnit(code=code, name=name, kind=kind, parent=parent)
    unit.depth = parent.depth + 1 if parent else 0
    unit.path = "/"  # placeholder until the id is known
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    record(actor=actor, action="org.create", obj=unit, summary=_("Created unit %(name)s") % {"name": name},
           details={"code": code, "kind": kind, "parent": parent.code if parent else None})
    return unit


@transaction.atomic
def update_org_unit(*, actor: User | None, unit: OrgUnit, changed: list[str]) -> OrgUnit:
    """Save the back office's edit of a unit's name, kind or whether it is active, on the
    trail with old and new values. Refuses a change of code or parent (the tree position
    is fixed once made: moving a unit would move its people's scope). Needs org.manage
    in the unit."""
    if actor is not None:
        authorize(actor, Action.ORG_MANAGE, unit=unit)
    fixed = {"code", "parent", "path", "depth"} & set(changed)
    if fixed:
        field = sorted(fixed)[0]
        raise ApplicationError("org_unit_fixed",
            _("A unit's code and parent cannot change once it is made."), field=field)
    before = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    editable = [name for name in ("name", "kind", "is_active") if name in changed]
    unit.full_clean(exclude=["path"])
    if editable:
        unit.save(update_fields=editable)
    record(actor=actor, action="org.change", obj=unit, summary=_("Changed unit %(name)s") % {"name": unit.name},
           details={name: {"old": getattr(before, name), "new": getattr(unit, name)} for name in editable})
    return unit


def _may_edit_account(actor: User | None, user: User, *, superuser: bool = False) -> None:
    """Only a superuser edits a superuser's account or makes someone one: a system
    admin would otherwise take over the accounts above them."""
    if actor is not None:
        authorize(actor, Action.ROLE_GRANT)
        if (user.is_superuser or superuser) and not actor.is_superuser:
            raise NotAllowed("superuser_only",
                _("Only a superuser may change a superuser's account or make someone a superuser."),
                                   field="is_superuser")


USER_FIELDS = ("username", "display_name", "first_name", "last_name", "email", "is_active", "is_staff",
               "is_superuser")


@transaction.atomic
def update_user(*, actor: User | None, user: User, changed: list[str]) -> User:
    """Save the back office's edit of an account's names, e-mail and flags, on the trail
    with old and new values. Turning an account off ends its sessions as deactivating
    does; a user name taken in any case is refused. Permissions are held through roles
    (memberships), never through Django groups or model permissions. Needs role.grant,
    and to be a superuser to edit a superuser or make one."""
    editable = [name for name in USER_FIELDS if name in changed]
    if "username" in editable and User.objects.filter(username__iexact=user.username).exclude(pk=user.pk).exists():
        raise ApplicationError("username_taken", USERNAME_TAKEN % {"username": user.username}, field="username")
    before = User.objects.select_for_update().get(pk=user.pk)
    _may_edit_account(actor, before, superuser=user.is_superuser)
    user.full_clean(exclude=["password"])
    if editable:
        user.save(update_fields=editable)
    ended = _end_sessions(user) if before.is_active and not user.is_active else 0
    record(actor=actor, action="account.change", obj=user,
           summary=_("Changed account %(username)s") % {"username": user.username},
           details={**{name: {"old": getattr(before, name), "new": getattr(user, name)} for name in editable},
                    **({"sessions_ended": ended} if ended else {})})
    return user


@transaction.atomic
def set_password(*, actor: User | None, user: User, password: str | None) -> None:
    """Set `user`'s password from the back office (None: no password, so the account
    cannot sign in with one). The password itself is never on the trail. Needs
    role.grant, and to be a superuser for a superuser's password."""
    _may_edit_account(actor, user)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    record(actor=actor, action="account.password_set", obj=user,
           summary=_("Set the password of account %(username)s") % {"username": user.username},
           details={"usable": bool(password)})


@transaction.atomic
def create_user(
    *, actor: User | None, username: str, password: str | None, display_name: str = "",
    email: str = "", is_staff: bool = False, is_superuser: bool = False,
) -> User:
    """Create an account (no password: it cannot log in until one is set). Refuses a
    user name taken in any case: logins ignore case, so T90001 and t90001 are one."""
    if actor is not None:
        authorize(actor, Action.ROLE_GRANT)
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError("username_taken", USERNAME_TAKEN % {"username": username}, field="username")
    user = User(username=username, display_name=display_name, email=email,
                is_staff=is_staff, is_superuser=is_superuser)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record(actor=actor, action="account.create", obj=user,
           summary=_("Created account %(username)s") % {"username": username})
    return user


@transaction.atomic
def grant_role(*, actor: User | None, user: User, role: str, org_unit: OrgUnit) -> Membership:
    """Give `user` `role` in `org_unit`. A granter with less than everything may grant
    only inside their own reach."""
    if role not in Role.values:
        raise ApplicationError("unknown_role", _("Unknown role \"%(role)s\".") % {"role": role}, field="role")
    if actor is not None:
        authorize(actor, Action.ROLE_GRANT, unit=org_unit)
    membership, created = Membership.objects.get_or_create(user=user, role=role, org_unit=org_unit)
    if created:
        record(actor=actor, action="role.grant", obj=membership,
               summary=_("Granted %(user)s %(role)s (%(unit)s)")
                       % {"user": user, "role": Role(role).label, "unit": org_unit.name},
               details={"user": user.pk, "role": role, "org_unit": org_unit.pk})
    user.__dict__.pop("_tongban_memberships", None)
    return membership


@transaction.atomic
def revoke_role(*, actor: User | None, membership: Membership) -> bool:
    """Take a role away, on the trail; returns whether it was still held (a second
    tab revoking it again, or two at once, writes nothing more). A revoker with less
    than everything may revoke only inside their own reach."""
    if actor is not None:
        authorize(actor, Action.ROLE_GRANT, unit=membership.org_unit)
    held = Membership.objects.select_for_update().filter(pk=membership.pk).exists()
    if not held:
        return False
    record(actor=actor, action="role.revoke", obj=membership,
           summary=_("Revoked %(user)s %(role)s (%(unit)s)") % {
               "user": membership.user, "role": membership.get_role_display(), "unit": membership.org_unit.name},
           details={"user": membership.user_id, "role": membership.role,
                    "org_unit": membership.org_unit_id})
    user = membership.user
    Membership.objects.filter(pk=membership.pk).delete()
    user.__dict__.pop("_tongban_memberships", None)
    return True


@transaction.atomic
def deactivate_user(*, actor: User | None, user: User) -> bool:
    """Deactivate `user`: every session of theirs is signed out on its next request
    (each request reloads its user and refuses an inactive one, whichever session
    store holds the session), and their stored sessions are deleted. Returns whether it
    was active. Needs role.grant (`actor=None` is the system)."""
    if actor is not None:
        authorize(actor, Action.ROLE_GRANT)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _end_sessions(user)
    record(actor=actor, action="account.deactivate", obj=user,
           summary=_("Deactivated account %(username)s") % {"username": user.username},
           details={"sessions_ended": ended})
    return True


def _end_sessions(user: User) -> int:
    """Delete the stored sessions signed in as `user` (through the session engine, so a
    cached copy goes too). A scan of the live sessions: deactivating is rare."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    engine = import_module(settings.SESSION_ENGINE)
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            engine.SessionStore(session_key=session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def record_login(*, user: User) -> None:
    record(actor=user, action="account.login", obj=user, summary=_("%(user)s logged in") % {"user": user})


@transaction.atomic
def record_login_locked(*, username: str) -> None:
    record(actor=None, action="account.login_locked", object_type="accounts.user",
           summary=_("Locked for a while after repeated failed logins"), details={"username": username[:150]})
