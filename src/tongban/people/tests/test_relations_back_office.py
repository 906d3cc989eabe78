"""Staff record and verify, in the back office, the relatives a person's account may
apply for: through add_relation and verify_relation (on the trail), each refusal
named at its field; nothing is changed or deleted there."""

import pytest

from tongban.audit.models import AuditEntry
from tongban.people.models import Relation

pytestmark = pytest.mark.django_db


def _admin(world, login):
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    return login(world.sysadmin)


def test_staff_record_a_verified_child_in_the_back_office_on_the_trail(world, login):
    child = world.person(name="李小宝")
    answer = _admin(world, login).post("/admin/people/relation/add/", {
        "person": world.applicant_person.pk, "kind": "child", "relative": child.pk, "verified": "on"})
    assert answer.status_code == 302
    relation = Relation.objects.get()
    assert (relation.person, relation.relative, relation.verified_by) == (world.applicant_person, child,
                                                                          world.sysadmin)
    assert AuditEntry.objects.get(action="people.relation_add").details["verified"] is True


def test_the_same_relation_posted_again_is_refused_at_the_field_not_a_500(world, login):
    child = world.person(name="李小宝")
    client = _admin(world, login)
    form = {"person": world.applicant_person.pk, "kind": "child", "relative": child.pk}
    client.post("/admin/people/relation/add/", form)
    again = client.post("/admin/people/relation/add/", form)  # a replay, a second tab
    assert again.status_code == 200
    assert again.context["adminform"].form.errors == {"relative": ["该亲属关系已登记"]}
    self_relation = client.post("/admin/people/relation/add/", {**form, "relative": world.applicant_person.pk})
    assert self_relation.context["adminform"].form.errors == {"relative": ["亲属不能是本人"]}
    assert Relation.objects.count() == 1


def test_the_verify_action_verifies_on_the_trail_and_leaves_a_verified_one_alone(world, login):
    from tongban.people.services import add_relation

    pending = add_relation(actor=None, person=world.applicant_person, relative=world.person(name="甲"), kind="child")
    done = add_relation(actor=None, person=world.applicant_person, relative=world.person(name="乙"), kind="child",
                        verified=True)
    answer = _admin(world, login).post("/admin/people/relation/", {
        "action": "verify", "_selected_action": [pending.pk, done.pk]})
    assert answer.status_code == 302
    pending.refresh_from_db()
    assert pending.verified_by == world.sysadmin
    assert AuditEntry.objects.filter(action="people.relation_verify").count() == 1


def test_a_relation_cannot_be_changed_or_deleted_in_the_back_office(world, login):
    from tongban.people.services import add_relation

    relation = add_relation(actor=None, person=world.applicant_person, relative=world.person(name="甲"), kind="child")
    client = _admin(world, login)
    client.post(f"/admin/people/relation/{relation.pk}/change/", {
        "person": world.applicant_person.pk, "kind": "spouse", "relative": relation.relative_id})
    client.post(f"/admin/people/relation/{relation.pk}/delete/", {"post": "yes"})
    assert Relation.objects.get(pk=relation.pk).kind == "child"
