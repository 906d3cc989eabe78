"""Bad input on the restriction page, over HTTP: every error at once beside its field,
in Chinese, what was typed kept, nothing written."""

from tongban.restrictions import services
from tongban.restrictions.models import Blocks, Kind, Restriction


def text(response) -> str:
    return response.content.decode()


def test_restricting_without_a_reason_or_a_known_number_says_both_and_keeps_the_input(world, login):
    client = login(world.officer)
    answer = client.post("/workbench/restrictions/", {"student_number": "L404", "reason": "", "blocks": "nonsense"})
    page = text(answer)
    assert answer.status_code == 422
    assert "请填写限制原因" in page and "请选择限制范围" in page  # all at once
    assert 'value="L404"' in page
    unknown = client.post("/workbench/restrictions/", {"student_number": "L404", "reason": "多次违规",
                                                      "blocks": Blocks.BOTH})
    assert unknown.status_code == 422 and "找不到该学号/工号的人员" in text(unknown)
    assert 'value="多次违规"' in text(unknown)
    assert not Restriction.objects.exists()


def test_lifting_without_a_reason_is_told_beside_that_restriction(world, login):
    r = services.impose(actor=None, person=world.applicant_person, kind=Kind.MANUAL, reason="多次违规")
    answer = login(world.officer).post(f"/workbench/restrictions/{r.pk}/lift/", {"reason": " "})
    page = text(answer)
    assert answer.status_code == 422
    assert "请填写解除原因" in page[page.index(f'action="/workbench/restrictions/{r.pk}/lift/"'):]
    r.refresh_from_db()
    assert r.lifted_at is None
