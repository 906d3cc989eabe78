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


def test_the_demo_registers_the_two_other_systems_once_and_says_how_to_start_their_receivers(db):
    from tongban.interop.models import ApiClient, Subscription

    first = seed()
    assert set(ApiClient.objects.values_list("name", flat=True)) == {"教务平台", "门禁系统"}
    assert first.count("客户端凭据（只显示这一次）") == 2
    gate = Subscription.objects.get(client__name="门禁系统")
    assert gate.service.code == "return-to-campus" and gate.fields == ["return_date", "student_number", "valid_until"]
    assert f"webhook-receiver --port 9001 --secret {gate.secret}" in first
    again = seed()
    assert "客户端凭据" not in again and "webhook-receiver --port 9000" in again
    assert ApiClient.objects.count() == 2 and Subscription.objects.count() == 2
