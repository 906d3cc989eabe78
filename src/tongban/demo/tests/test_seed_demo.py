from io import StringIO

from django.core.management import call_command

from tongban.accounts.models import Membership, OrgUnit, User
from tongban.accounts.roles import Role
from tongban.audit.chain import verify
from tongban.audit.models import AuditEntry
from tongban.people import idnumber
from tongban.people.models import Person


def seed(**kwargs) -> str:
    out = StringIO()
    call_command("seed-demo", stdout=out, **kwargs)
    return out.getvalue()


def test_the_demo_has_the_university_the_bureau_and_one_account_per_role(db):
    output = seed()
    colleges = set(OrgUnit.objects.filter(kind="college").values_list("name", flat=True))
    assert colleges == {"经济学院", "法学院", "信息学院", "外语学院"}
    assert OrgUnit.objects.filter(kind="branch").count() == 2
    assert OrgUnit.objects.filter(kind="station").count() == 4
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    assert Person.objects.count() == 200
    assert "sysadmin" in output and "tongban-demo-2026" in output


def test_seeding_twice_changes_nothing(db):
    seed()
    counts = (OrgUnit.objects.count(), User.objects.count(), Person.objects.count(),
              Membership.objects.count(), AuditEntry.objects.count())
    assert "新增 0 名人员" in seed(quiet=True)
    assert counts == (OrgUnit.objects.count(), User.objects.count(), Person.objects.count(),
                      Membership.objects.count(), AuditEntry.objects.count())


def test_demo_people_have_valid_synthetic_id_numbers_and_an_unbroken_trail(db):
    seed(people=30)
    for person in Person.objects.all():
        assert idnumber.parse(person.plain_id_number()).number == person.plain_id_number()
    assert Person.objects.get(account__username="student").org_unit.name == "经济学院"
    assert verify(AuditEntry.objects.all()).ok
