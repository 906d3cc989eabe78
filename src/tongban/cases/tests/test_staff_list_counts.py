"""The staff's lists count no further than a cap (counting a million cases took
seconds of every page), and past it the pager says "at least": 第 1 / 2+ 页."""

import pytest
from django.template import engines

from tongban.cases import selectors, staff_views
from tongban.cases.staff_views import CappedPaginator

pytestmark = pytest.mark.django_db

PAGER = engines["django"].from_string("第 {{ page.number }} / {{ page.paginator.num_pages }} 页")


@pytest.fixture
def three_cases(world, certificate_service, submitted):
    return [submitted(certificate_service) for _ in range(3)]


def test_below_the_cap_the_count_is_exact(world, three_cases):
    page = CappedPaginator(selectors.staff_cases(user=world.college_admin), 2).get_page(1)

    assert (page.paginator.count, page.paginator.num_pages) == (3, 2)
    assert PAGER.render({"page": page}) == "第 1 / 2 页"


def test_past_the_cap_the_pager_says_at_least(world, three_cases, monkeypatch):
    monkeypatch.setattr(staff_views, "COUNT_CAP", 1)
    paginator = CappedPaginator(selectors.staff_cases(user=world.college_admin), 1)
    page = paginator.get_page(1)

    assert (paginator.count, paginator.num_pages) == (2, 2)
    assert PAGER.render({"page": page}) == "第 1 / 2+ 页"
    assert [c.pk for c in page] == [three_cases[-1].pk]  # newest first, as before
    assert paginator.get_page(5).number == 2  # no further than what was counted
