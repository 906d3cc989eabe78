"""ID numbers and phones are stored encrypted, found through a keyed blind index, shown
masked, and can be moved to a new key with `rotate-keys`."""

import datetime as dt
import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from tongban.audit.models import AuditEntry
from tongban.conftest import make_id
from tongban.people import selectors
from tongban.people.models import Person

PHONE = "13812345678"


def raw_person_rows() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person")
        return repr(cursor.fetchall())


def rotate_keys(*args) -> str:
    out = io.StringIO()
    call_command("rotate-keys", *args, stdout=out)
    return out.getvalue()


# The world's people are encrypted under the test run's key before a test can change the
# ring, so that key plays the old one; the new one is made for the test.
def fresh_key() -> str:
    return Fernet.generate_key().decode()


def test_the_plain_id_number_and_phone_are_nowhere_in_the_person_table(world):
    number = make_id(dt.date(1990, 1, 1))
    person = world.person(name="王五", id_number=number, phone=PHONE)
    rows = raw_person_rows()
    assert "王五" in rows  # the query did read the row
    assert number not in rows
    assert PHONE not in rows
    assert (person.plain_id_number(), person.plain_phone()) == (number, PHONE)


def test_the_masked_forms_keep_only_the_region_and_the_last_four(world):
    person = world.person(id_number="110105199001010029", phone=PHONE)
    person.refresh_from_db()
    assert person.id_number_masked == "110105********0029"
    assert person.phone_masked == "138****5678"
    assert str(person) == "张三（110105********0029）"


def test_a_whole_id_number_finds_its_person(world):
    person = world.person(id_number="110105199001010029")
    found = selectors.people(user=world.officer, query="110105199001010029")
    assert list(found) == [person]


def test_an_id_number_typed_with_spaces_and_full_width_digits_still_finds_its_person(world):
    person = world.person(id_number="110105199001010029")
    found = selectors.people(user=world.officer, query="110105 1990０１０１ 0029")
    assert list(found) == [person]


@pytest.mark.parametrize("partial", ["110105", "1101051990", "0029", "110105********0029"])
def test_part_of_an_id_number_finds_nobody(world, partial):
    world.person(id_number="110105199001010029")
    assert list(selectors.people(user=world.officer, query=partial)) == []


def test_the_whole_id_number_search_stays_within_the_searchers_reach(world):
    world.person(unit=world.law, id_number="110105199001010029")
    assert list(selectors.people(user=world.college_admin, query="110105199001010029")) == []


def test_rotating_keys_lets_the_old_key_be_retired(world, settings):
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], fresh_key()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    person = world.person(id_number="110105199001010029", phone=PHONE)
    without_phone = world.person(name="无手机", id_number="110105199001010037")

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert rotate_keys() == "已用最新密钥重新加密 3 人。\n"  # with the applicant's record

    settings.FIELD_ENCRYPTION_KEYS = [new]
    person.refresh_from_db()
    without_phone.refresh_from_db()
    assert person.plain_id_number() == "110105199001010029"
    assert person.plain_phone() == PHONE
    assert without_phone.plain_id_number() == "110105199001010037"
    assert without_phone.phone_enc == ""


def test_without_rotation_the_old_key_cannot_be_retired(world, settings):
    # The other side of the test above: it would pass vacuously if dropping a key did
    # not make its values unreadable.
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], fresh_key()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    person = world.person(id_number="110105199001010029")
    settings.FIELD_ENCRYPTION_KEYS = [new]
    person.refresh_from_db()
    with pytest.raises(ImproperlyConfigured):
        person.plain_id_number()


def test_rotating_twice_rewrites_nothing_the_second_time(world, settings):
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], fresh_key()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    world.person()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    rotate_keys()
    tokens = list(Person.objects.order_by("pk").values_list("id_number_enc", "phone_enc"))
    assert rotate_keys() == "已用最新密钥重新加密 0 人。\n"
    assert list(Person.objects.order_by("pk").values_list("id_number_enc", "phone_enc")) == tokens


def test_rotation_goes_through_every_batch(world, settings):
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], fresh_key()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    for i in range(4):
        world.person(name=f"人{i}")
    numbers = {p.pk: p.plain_id_number() for p in Person.objects.all()}
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert rotate_keys("--batch-size", "2") == "已用最新密钥重新加密 5 人。\n"
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert {p.pk: p.plain_id_number() for p in Person.objects.all()} == numbers


def test_rotation_is_on_the_audit_trail_and_keeps_the_update_time(world, settings):
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], fresh_key()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    person = world.person()
    updated_at = Person.objects.get(pk=person.pk).updated_at
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    rotate_keys()
    entry = AuditEntry.objects.get(action="people.rotate_keys")
    assert (entry.actor_id, entry.details) == (None, {"rewritten": 2})
    assert Person.objects.get(pk=person.pk).updated_at == updated_at
