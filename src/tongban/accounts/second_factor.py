"""The second factor of staff who approve, unmask or administer: a TOTP authenticator
(django-otp's TOTP device, enrolled from a QR code) and ten one-time recovery codes
(its static device). After the password, such a session is verified here before any
other page opens (accounts.middleware.SecondFactorRequired enforces it).

Verification failures are counted twice: by django-otp's throttling of each device (a
growing wait after each wrong code) and towards the account's lockout (lockout.py), as
a wrong password would be."""

from __future__ import annotations

import base64

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.accounts import lockout
from tongban.accounts.access import authorize, memberships_of
from tongban.accounts.models import User
from tongban.accounts.roles import Action, reach_of
from tongban.audit.services import record
from tongban.lib.errors import ApplicationError

# Holding any of these (in any unit) means signing in with a second factor.
GUARDED_ACTIONS = frozenset({
    Action.CASE_APPROVE, Action.CASE_SIGN, Action.HUKOU_REGISTER, Action.PEOPLE_UNMASK,
    Action.ORG_MANAGE, Action.ROLE_GRANT, Action.CATALOG_MANAGE,
})
RECOVERY_CODES = 10
INVALID = gettext_lazy("The code is wrong or used already: enter the 6 digits shown by the authenticator app, "
                       "or a recovery code.")


def needs_second_factor(user: User) -> bool:
    """Staff holding approve, sign, register, unmask or admin capabilities, and every
    account that may open the Django admin."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(reach_of(m.role, action) is not None
               for m in memberships_of(user) for action in GUARDED_ACTIONS)


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def secret_of(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def begin_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator `user` is enrolling (the same one until it is
    confirmed, so reloading the page keeps the QR code). Refuses an account already
    enrolled: replacing an authenticator is an admin's reset."""
    if is_enrolled(user):
        raise ApplicationError("otp_enrolled",
            _("You have enrolled an authenticator already; to change it, ask a system administrator to reset it."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator"), confirmed=False)
        record(actor=user, action="account.otp_enrol_begin", obj=user,
               summary=_("%(user)s began enrolling an authenticator") % {"user": user})
    return device


def confirm_enrolment(*, user: User, token: str, address: str = "") -> list[str]:
    """Confirm the authenticator being enrolled with a code it shows and issue fresh
    recovery codes (returned once, stored only as django-otp keeps them). Refuses a
    wrong code (counted like a wrong password) and an account not enrolling."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("id").first()
        if device is None:
            raise ApplicationError("otp_not_enrolling",
                _("Open the enrolment page and scan the QR code first."), field="token")
        ok = device.verify_token((token or "").strip())
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            StaticDevice.objects.filter(user=user).delete()
            recovery = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
            codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
            StaticToken.objects.bulk_create([StaticToken(device=recovery, token=c) for c in codes])
            record(actor=user, action="account.otp_enrol", obj=user,
                   summary=_("%(user)s enrolled an authenticator and made recovery codes") % {"user": user},
                   details={"recovery_codes": RECOVERY_CODES})
    if not ok:  # the device's throttling was committed above
        lockout.count_failure(username=user.get_username(), address=address)
        raise ApplicationError("otp_invalid", INVALID, field="token")
    return codes


def verify(*, user: User, token: str, address: str = "") -> TOTPDevice | StaticDevice:
    """The device that accepts `token` (the authenticator's code, or a recovery code,
    which is then used up), on the trail. Refuses a wrong or replayed code (counted like
    a wrong password) and a locked account."""
    token = (token or "").strip().replace(" ", "").lower()
    if lockout.is_locked(username=user.get_username(), address=address):
        raise ApplicationError("otp_invalid", INVALID, field="token")
    matched = None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                matched = device
                break
        if matched is not None:
            recovery = isinstance(matched, StaticDevice)
            record(actor=user, action="account.otp_verify", obj=user,
                   summary=(_("%(user)s passed the second factor with a recovery code") if recovery
                            else _("%(user)s passed the second factor with the authenticator")) % {"user": user},
                   details={"recovery_code": recovery,
                            **({"recovery_codes_left": matched.token_set.count()} if recovery else {})})
    if matched is None:  # each device's throttling was committed above
        lockout.count_failure(username=user.get_username(), address=address)
        raise ApplicationError("otp_invalid", INVALID, field="token")
    return matched


@transaction.atomic
def reset_second_factor(*, actor: User, user: User) -> int:
    """An admin (role.grant) removes `user`'s authenticator and recovery codes (a lost
    phone): the next sign-in enrols again. Returns how many devices went."""
    authorize(actor, Action.ROLE_GRANT)
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    record(actor=actor, action="account.otp_reset", obj=user,
           summary=_("Reset the second factor of %(user)s") % {"user": user},
           details={"devices": removed})
    return removed
