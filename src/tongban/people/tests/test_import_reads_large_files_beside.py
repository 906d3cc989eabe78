"""A large xlsx file is read in a child process while the importer checks and writes: the
outcome is the one an in-process read gives, and the child's refusals are the same."""

import pytest

from tongban.audit.models import AuditEntry
from tongban.people import reading
from tongban.people.models import Person
from tongban.people.tests.test_import_command import GOOD, HEADER, import_people, imported, row, xlsx


def counts():
    return Person.objects.count(), AuditEntry.objects.count()


@pytest.fixture
def read_beside(monkeypatch):
    monkeypatch.setattr(reading, "READ_AHEAD_BYTES", 0)
    monkeypatch.setattr(reading, "READ_AHEAD_BATCH", 2)  # more than one batch for three rows


def test_a_file_read_beside_imports_every_row_with_its_spreadsheet_row_number(world, tmp_path, read_beside):
    bad = row("", 104, "2024004")
    run = import_people(xlsx(tmp_path / "people.xlsx", [*GOOD, bad]))
    assert run.status == 1
    assert run.summary == "导入完成：共 4 行，新增 3，更新 0，未变 0，错误 1，警告 0。"
    assert "第 5 行" in run.out  # the fourth data row is the spreadsheet's row 5
    assert imported() == ["孙三", "赵一", "钱二"]


def test_a_file_read_beside_with_a_missing_header_is_refused(world, tmp_path, read_beside):
    before = counts()
    run = import_people(xlsx(tmp_path / "people.xlsx", [r[:4] for r in GOOD], header=HEADER[:4]))
    assert run.status == 2
    assert "缺少必需的表头：人员类别" in run.err
    assert counts() == before


def test_a_damaged_file_read_beside_is_refused_as_unreadable(world, tmp_path, read_beside):
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(1024))
    before = counts()
    run = import_people(path)
    assert (run.status, run.err.strip()) == (2, "无法导入：无法读取该 Excel 文件，文件可能已损坏。")
    assert counts() == before
