"""Nobody vouches for their own family: a staff member who is the person or the relative of
a relation can neither record it verified nor verify it, so cannot then apply as that
person's relative with a colleague believing the relation was checked."""

import pytest

from tongban.lib.errors import NotAllowed
from tongban.people.models import Category, Relation
from tongban.people.selectors import verified_relations
from tongban.people.services import add_relation, link_account, verify_relation

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers_own(world):
    own = world.person(name="户籍管理员本人", category=Category.STAFF, unit=world.security)
    return link_account(actor=None, person=own, user=world.officer)


def test_staff_cannot_record_verified_or_verify_a_relation_of_their_own(world, officers_own):
    stranger = world.person(name="陌生人")
    with pytest.raises(NotAllowed) as refused:
        add_relation(actor=world.officer, person=officers_own, relative=stranger, kind="child", verified=True)
    assert (refused.value.code, refused.value.field) == ("own_relation", "person")
    with pytest.raises(NotAllowed):  # nor as the relative named by someone else's relation
        add_relation(actor=world.officer, person=stranger, relative=officers_own, kind="parent")
    assert not Relation.objects.exists()

    claimed = add_relation(actor=None, person=officers_own, relative=stranger, kind="child")  # the claim
    with pytest.raises(NotAllowed) as refused:
        verify_relation(actor=world.officer, relation=claimed)
    assert refused.value.code == "own_relation"
    assert list(verified_relations(user=world.officer)) == []
