"""Binding an account to a person record with ID number + student (or staff) number:
how a freshman imported before enrolment gets in. Every failure looks the same and is
throttled per client address and per number tried, so the form cannot be used to learn
whether someone is on the list."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from tongban.accounts import throttle
from tongban.accounts.models import User
from tongban.accounts.services import create_user
from tongban.audit.services import record
from tongban.lib import crypto
from tongban.lib.errors import ApplicationError
from tongban.people import idnumber
from tongban.people.models import Person
from tongban.people.services import link_account

NEUTRAL = "身份证号与学号（工号）不匹配，或您不在名单中。请核对后再试。"
LOCKED = "尝试次数过多，请稍后再试。"
BIND_LIMIT_PER_NUMBER = 5
BIND_LIMIT_PER_ADDRESS = 30


def _refuse(kind_values: list[tuple[str, str]]) -> ApplicationError:
    for kind, value in kind_values:
        throttle.fail(kind, value)
    return ApplicationError("bind_failed", NEUTRAL, field="id_number")


def bind_by_identity(*, user: User | None, id_number: str, student_number: str, password: str = "",
                     openid: str = "", client_ip: str = "") -> User:
    """Bind `user` (or, for someone without an account, a new account with `password`
    and the student number as user name) to the person whose ID number and student
    number both match. Refuses: any mismatch or unknown person (one neutral message,
    throttled), a person already bound to another account (with where to ask), an
    account already bound to someone else, a weak password."""
    sno = (student_number or "").strip().upper()
    keys = [("bind-address", client_ip or "?"), ("bind-number", sno or "?")]
    if throttle.is_locked("bind-address", keys[0][1], limit=BIND_LIMIT_PER_ADDRESS) or throttle.is_locked(
            "bind-number", keys[1][1], limit=BIND_LIMIT_PER_NUMBER):
        raise ApplicationError("bind_locked", LOCKED, field="id_number")
    number = idnumber.normalise(id_number or "")
    person = None
    if len(number) == 18 and sno:
        person = (Person.objects.filter(id_number_index=crypto.blind_index(number, purpose="id"))
                  .filter(student_number__iexact=sno).first())
    if person is None:
        raise _refuse(keys)
    if person.account_id and (user is None or person.account_id != user.pk):
        raise ApplicationError(
            "person_already_bound",
            f"该人员已绑定其他账号。如非本人操作，请联系{settings.HOUSEHOLD_OFFICE_CONTACT}。", field="id_number")
    with transaction.atomic():
        if user is None:
            try:
                validate_password(password)
            except ValidationError as exc:
                raise ApplicationError("weak_password", "；".join(exc.messages), field="password") from None
            username = sno.lower()
            if User.objects.filter(username=username).exists():
                username = f"{username}-{person.pk}"
            user = create_user(actor=None, username=username, password=password, display_name=person.name)
        link_account(actor=None, person=person, user=user)
        if openid:
            User.objects.filter(wechat_openid=openid).exclude(pk=user.pk).update(wechat_openid="")
            user.wechat_openid = openid
            user.save(update_fields=["wechat_openid"])
        record(actor=user, action="people.bind", obj=person, summary=f"{person.name} 本人绑定账号 {user.username}",
               details={"account": user.pk, "wechat": bool(openid)})
    for kind, value in keys[1:]:
        throttle.clear(kind, value)
    return user
