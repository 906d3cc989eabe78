"""Several processes sealing at once, each with its own connection and transaction,
before the keys exist: they end with one CA and one key per unit, every seal made
with that key, and one audit entry per seal.

A barrier inside the key making holds every thread between "no key yet" and storing
its own, so all but one lose on the unique constraint: the race is forced, not left
to timing."""

import threading

import pytest

from tongban.archive import certs
from tongban.archive.models import SealAuthority, SealKey
from tongban.archive.selectors import verify_pdf
from tongban.archive.services import seal_pdf
from tongban.audit.chain import verify as verify_trail
from tongban.audit.models import AuditEntry
from tongban.conftest import at_once, failures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


def _held_at(monkeypatch, name: str) -> dict:
    """Make `certs.<name>` wait until every thread has called it; count the calls."""
    barrier = threading.Barrier(THREADS, timeout=60)
    calls = {"n": 0}
    original = getattr(certs, name)

    def held(**kwargs):
        calls["n"] += 1
        barrier.wait()
        return original(**kwargs)

    monkeypatch.setattr(certs, name, held)
    return calls


def _at_once(work) -> list:
    outcomes = at_once(THREADS, work)
    assert failures(outcomes) == []
    return outcomes


def _seal_at_once(agreement, units, actor) -> list[bytes]:
    return _at_once(lambda n: seal_pdf(agreement, unit=units[n % len(units)], actor=actor, reason=f"并发 {n}"))


def _all_hold(sealed: list[bytes]) -> None:
    assert len(sealed) == THREADS
    for document in sealed:
        [check] = verify_pdf(document)
        assert check.intact and check.trusted
    assert AuditEntry.objects.filter(action="archive.sealed").count() == THREADS
    assert verify_trail(AuditEntry.objects.all()).ok


def test_the_first_seals_anywhere_end_with_one_authority(world, agreement, monkeypatch):
    calls = _held_at(monkeypatch, "make_authority")

    sealed = _seal_at_once(agreement, [world.security, world.east_1, world.econ], world.officer)

    assert calls["n"] == THREADS  # every thread made one
    assert SealAuthority.objects.count() == 1  # one was kept
    assert AuditEntry.objects.filter(action="archive.authority_created").count() == 1
    assert SealKey.objects.count() == 3
    _all_hold(sealed)


def test_the_first_seals_of_one_unit_end_with_one_key(world, agreement, monkeypatch):
    seal_pdf(agreement, unit=world.law, actor=world.officer, reason="先有 CA")
    calls = _held_at(monkeypatch, "issue_seal")

    sealed = _seal_at_once(agreement, [world.security], world.officer)

    assert calls["n"] == THREADS
    keys = SealKey.objects.filter(org_unit=world.security)
    assert keys.count() == 1
    assert AuditEntry.objects.filter(action="archive.seal_key_created", object_id=str(world.security.pk)).count() == 1
    ours = AuditEntry.objects.filter(action="archive.sealed", object_id=str(world.security.pk))
    assert {entry.details["serial"] for entry in ours} == {keys.get().serial}
    assert ours.count() == THREADS
    for document in sealed:
        [check] = verify_pdf(document)
        assert check.intact and check.trusted and check.unit_name == "保卫处"


def test_seals_at_once_on_a_key_near_its_end_replace_it_once(world, agreement, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    seal_pdf(agreement, unit=world.security, actor=world.officer, reason="旧密钥")
    old = SealKey.objects.get(org_unit=world.security)
    SealKey.objects.filter(pk=old.pk).update(not_after=timezone.now() + dt.timedelta(days=3))
    calls = _held_at(monkeypatch, "issue_seal")

    sealed = _seal_at_once(agreement, [world.security], world.officer)

    assert calls["n"] == THREADS  # each found the key near its end and made a new one
    in_use = SealKey.objects.filter(org_unit=world.security, retired_at__isnull=True, revoked_at__isnull=True)
    assert in_use.count() == 1 and in_use.get().serial != old.serial
    assert SealKey.objects.filter(org_unit=world.security).count() == 2  # one kept, the old one retired
    assert AuditEntry.objects.filter(action="archive.seal_key_created", details__replaces=old.serial).count() == 1
    for document in sealed:
        [check] = verify_pdf(document)
        assert check.ok and check.serial == in_use.get().serial


def test_an_admin_replacing_a_key_while_seals_replace_it_too_ends_with_one_key_and_no_deadlock(
        world, agreement, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from tongban.archive.services import renew_seal_key

    seal_pdf(agreement, unit=world.security, actor=world.officer, reason="旧密钥")
    old = SealKey.objects.get(org_unit=world.security)
    SealKey.objects.filter(pk=old.pk).update(not_after=timezone.now() + dt.timedelta(days=3))
    _held_at(monkeypatch, "issue_seal")

    def renew_or_seal(n: int) -> None:
        if n % 2:
            renew_seal_key(actor=world.sysadmin, unit=world.security, reason=f"更换 {n}")
        else:
            seal_pdf(agreement, unit=world.security, actor=world.officer, reason=f"盖章 {n}")

    _at_once(renew_or_seal)  # a deadlock would have failed one of them
    in_use = SealKey.objects.filter(org_unit=world.security, retired_at__isnull=True, revoked_at__isnull=True)
    assert in_use.count() == 1 and in_use.get().serial != old.serial
    assert verify_trail(AuditEntry.objects.all()).ok
