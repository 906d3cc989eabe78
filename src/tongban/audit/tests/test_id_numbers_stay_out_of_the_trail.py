"""The trail never carries a raw ID number: whatever a service puts in a summary or in
details is masked before it is stored and hashed."""

import json
import re

from openpyxl import Workbook

from tongban.accounts.services import record_login_locked
from tongban.audit.chain import verify
from tongban.audit.models import AuditEntry
from tongban.audit.services import record
from tongban.conftest import make_id
from tongban.lib.masking import mask_id_number
from tongban.people.imports import import_people
from tongban.people.services import unmask

ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}")


def _exposed() -> list[tuple[int, str]]:
    """Every (seq, text) in the trail's summaries and details that holds an ID number."""
    found = []
    for seq, summary, details in AuditEntry.objects.values_list("seq", "summary", "details"):
        for text in (summary, json.dumps(details, ensure_ascii=False)):
            if ID_NUMBER.search(text):
                found.append((seq, text))
    return found


def test_an_id_number_in_summary_and_details_is_stored_masked(db):
    number = make_id()
    old = "110105900101002"  # a 15-digit number from before 1999

    record(actor=None, action="test.record", summary=f"核对身份证{number}的记录",
           details={"id": number, "note": f"旧号 {old}，新号 {number.lower()}", "ids": [number, {"again": number}]})

    entry = AuditEntry.objects.get()
    masked = mask_id_number(number)
    assert masked == number[:6] + "********" + number[-4:]
    assert entry.summary == f"核对身份证{masked}的记录"
    assert entry.details == {"id": masked, "note": f"旧号 {mask_id_number(old)}，新号 {masked.lower()}",
                             "ids": [masked, {"again": masked}]}
    assert verify(AuditEntry.objects.all()).ok


def test_an_unmask_reason_quoting_the_number_is_masked(world):
    number = make_id()
    person = world.person(name="赵六", id_number=number)

    unmask(actor=world.officer, person=person, field="id_number", reason=f"核对 {number} 是否一致")

    entry = AuditEntry.objects.get(action="people.unmask")
    assert entry.details == {"field": "id_number", "reason": f"核对 {mask_id_number(number)} 是否一致"}
    assert _exposed() == []


def test_a_lockout_of_someone_who_typed_their_id_number_as_username_is_masked(db):
    number = make_id()

    record_login_locked(username=number)

    assert AuditEntry.objects.get().details == {"username": mask_id_number(number)}


def _people_file(path, rows) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "学号", "学院", "人员类别", "入学年份", "手机号"])
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_no_entry_after_the_world_and_an_import_holds_an_id_number(world, tmp_path):
    first, second, third = make_id(), make_id(), make_id()
    bad = third[:17] + ("1" if third[17] == "0" else "0")  # a wrong check digit
    path = tmp_path / "people.xlsx"
    _people_file(path, [
        ["钱七", first, "2025010001", "经济学院", "本科生", 2025, "13800000001"],
        ["孙八", second, "2025010002", "法学院", "本科生", 2025, "13800000002"],
        ["周九", bad, "2025010003", "经济学院", "本科生", 2025, ""],
    ])
    outcome = import_people(actor=world.officer, path=path)
    assert (outcome.created, len(outcome.errors)) == (2, 1)
    # A second run that changes a name goes down the update path.
    _people_file(path, [["钱七七", first, "2025010001", "经济学院", "本科生", 2025, "13800000001"]])
    assert import_people(actor=world.officer, path=path).updated == 1

    actions = list(AuditEntry.objects.filter(action__startswith="people.").values_list("action", flat=True))
    assert sorted(actions) == ["people.create", "people.create", "people.create", "people.import",
                               "people.import", "people.link_account", "people.update"]
    assert _exposed() == []
