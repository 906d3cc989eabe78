"""The auditor's CSV export streams the rows the page's filters select, under a header."""

import csv
import io

from tongban.accounts.roles import Role
from tongban.accounts.services import create_user, grant_role, record_login
from tongban.audit.models import AuditEntry
from tongban.people.services import unmask

URL = "/workbench/audit/export.csv"
HEADER = ["序号", "时间", "操作人", "角色", "单位", "动作", "对象类型", "对象ID", "摘要", "IP", "哈希"]


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == "attachment; filename=audit-trail.csv"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # so Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_export_streams_the_filtered_rows_under_a_header(world, login):
    person = world.applicant_person
    unmask(actor=world.officer, person=person, field="id_number", reason="核对户籍")

    rows = _rows(login(world.auditor).get(URL, {"object_type": "people.person", "object_id": person.pk}))

    unmasked, linked, created = AuditEntry.objects.filter(
        object_type="people.person", object_id=str(person.pk)).order_by("-seq")
    assert rows == [
        HEADER,
        [str(unmasked.seq), unmasked.created_at.isoformat(), "officer", "officer", "示例大学", "people.unmask",
         "people.person", str(person.pk), "查看 李同学 的完整身份证号", "", unmasked.hash],
        [str(linked.seq), linked.created_at.isoformat(), "系统", "", "", "people.link_account",
         "people.person", str(person.pk), "李同学 绑定账号 applicant", "", linked.hash],
        [str(created.seq), created.created_at.isoformat(), "系统", "", "", "people.create",
         "people.person", str(person.pk), "新增人员 李同学", "", created.hash],
    ]


def test_an_unfiltered_export_holds_the_whole_trail(world, login):
    rows = _rows(login(world.auditor).get(URL))

    assert rows[0] == HEADER
    assert [int(r[0]) for r in rows[1:]] == list(range(AuditEntry.objects.count(), 0, -1))


def test_a_users_export_holds_only_their_acts(world, login):
    record_login(user=world.officer)
    record_login(user=world.clerk)

    rows = _rows(login(world.auditor).get(URL, {"actor_id": world.officer.pk}))

    assert [(r[2], r[5], r[8]) for r in rows[1:]] == [("officer", "account.login", "officer 登录")]


def test_a_formula_in_a_name_is_exported_as_text(world, login):
    # A display name is whatever an administrator typed; a spreadsheet would run it.
    user = create_user(actor=None, username="mallory", password="x" * 12, display_name="=HYPERLINK(\"x\")")
    grant_role(actor=None, user=user, role=Role.OFFICER, org_unit=world.univ)
    record_login(user=user)

    rows = _rows(login(world.auditor).get(URL, {"actor_id": user.pk}))

    assert [(r[2], r[8]) for r in rows[1:]] == [("'=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\") 登录")]


def test_taking_an_export_is_itself_on_the_trail(world, login):
    response = login(world.auditor).get(URL, {"actor": "officer"})
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get(action="audit.export")
    assert entry.actor == world.auditor
    assert entry.details == {"filters": {"actor_name": "officer"}}


def test_a_refused_export_leaves_no_entry(world, login):
    assert login(world.officer).get(URL).status_code == 403
    assert not AuditEntry.objects.filter(action="audit.export").exists()
