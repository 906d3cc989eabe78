"""Binding an account to a person record with ID number + student (or staff) number:
how a freshman imported before enrolment gets in. Every failure gets one message (a
wrong pair, someone not on the list, a person already bound, a locked number or
address), and every failure counts towards the lockout of accounts/lockout.py, per
number tried and per client address, so the form cannot be used to learn whether
someone is on the list or has bound already."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongban.accounts import lockout
from tongban.accounts.models import User
from tongban.accounts.services import create_user
from tongban.audit.services import record
from tongban.lib import crypto
from tongban.lib.errors import ApplicationError
from tongban.people import idnumber
from tongban.people.models import Person
from tongban.people.services import link_account


def neutral_message() -> str:
    return _("The ID number and student (or staff) number do not match, you are not on the list, this person "
             "has bound an account already, or there were too many attempts. Check them and try again later; if "
             "they are right and binding still fails, contact %(office)s.") % {
        "office": settings.HOUSEHOLD_OFFICE_CONTACT}


def _refused(*, sno: str, client_ip: str) -> ApplicationError:
    lockout.count_failure(username=lockout.BINDING + sno, address=client_ip or "?")
    return ApplicationError("bind_failed", neutral_message(), field="id_number")


def check_password(password: str) -> None:
    """The new account's password, judged before any record is looked up (a refusal
    after the lookup would tell that the pair was right)."""
    try:
        validate_password(password)
    except ValidationError as exc:
        raise ApplicationError("weak_password",
            pgettext("list separator", "; ").join(exc.messages), field="password") from None


def bind_by_identity(*, user: User | None, id_number: str, student_number: str, password: str = "",
                     openid: str = "", client_ip: str = "") -> User:
    """Bind `user` (or, for someone without an account, a new account with `password`
    and the student number as user name) to the person whose ID number and student
    number both match. Refuses a weak password first (naming the field); then, with one
    message for all and each counted towards the lockout: a locked number or address,
    any mismatch or unknown person, a person already bound to an account, an account
    already bound to someone else. A refused already-bound person is on the trail."""
    sno = (student_number or "").strip().upper()
    if user is None:
        check_password(password)
    if lockout.is_locked(username=lockout.BINDING + sno, address=client_ip or "?"):
        raise _refused(sno=sno, client_ip=client_ip)
    number = idnumber.normalise(id_number or "")
    person = None
    if len(number) == 18 and sno:
        person = (Person.objects.filter(id_number_index=crypto.blind_index(number, purpose="id"))
                  .filter(student_number__iexact=sno).first())
    if person is None:
        raise _refused(sno=sno, client_ip=client_ip)
    if person.account_id and (user is None or person.account_id != user.pk):
        record(actor=user, action="people.bind_refused", obj=person,
               summary=
                   _("%(name)s is bound already; someone tried to bind with their ID and student numbers")
                       % {"name": person.name},
               details={"account": user.pk if user else None})
        raise _refused(sno=sno, client_ip=client_ip)
    try:
        with transaction.atomic():
            # a second tab or a concurrent binding of the same person waits here, then
            # finds the person bound (before it makes an account it could not keep)
            if Person.objects.select_for_update().get(pk=person.pk).account_id is not None:
                raise ApplicationError("person_already_bound", _("This person has bound an account already."))
            if user is None:
                username = sno.lower()
                if User.objects.filter(username__iexact=username).exists():
                    username = f"{username}-{person.pk}"
                user = create_user(actor=None, username=username, password=password, display_name=person.name)
            link_account(actor=None, person=person, user=user)
            if openid:
                User.objects.filter(wechat_openid=openid).exclude(pk=user.pk).update(wechat_openid="")
                user.wechat_openid = openid
                user.save(update_fields=["wechat_openid"])
            record(actor=user, action="people.bind", obj=person,
                   summary=
                       _("%(name)s bound account %(username)s themselves")
                           % {"name": person.name, "username": user.username},
                   details={"account": user.pk, "wechat": bool(openid)})
    except ApplicationError as exc:
        if exc.code not in {"person_already_bound", "account_already_bound"}:
            raise
        raise _refused(sno=sno, client_ip=client_ip) from None  # a second tab or a race
    lockout.clear_account(username=lockout.BINDING + sno)
    return user
