"""`tongban import-people FILE`: every row checked, good rows written, every bad row
reported by spreadsheet row, column and reason; exit 0 when all is well, 1 when some
rows were refused, 2 when the file could not be imported at all."""

import csv
import datetime as dt
import io
import random
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from tongban.audit.models import AuditEntry
from tongban.lib.masking import mask_id_number
from tongban.people import idnumber
from tongban.people.models import Category, Person

HEADER = ["姓名", "身份证号", "学号", "学院", "人员类别", "入学年份", "手机号"]
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # how an old .xls file starts


# Not conftest.make_id's birth date: its numbers come from a counter shared by the whole
# test session, and one landing on a row's sequence made the world's person that row's.
BIRTH = dt.date(2005, 9, 1)


def id_number(sequence: int, birth: dt.date = BIRTH) -> str:
    return idnumber.make("110105", birth, sequence)


def row(name: str, sequence: int, student_number: str, unit: str = "经济学院", category: str = "本科生",
        year="2024", phone="") -> list:
    return [name, id_number(sequence), student_number, unit, category, year, phone]


GOOD = [
    row("赵一", 101, "2024001"),
    row("钱二", 102, "2024002", category="研究生", phone="13900000002"),
    row("孙三", 103, "2024003", unit="法学院"),
]


def xlsx(path, rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    workbook.save(path)
    return path


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@dataclass
class Run:
    status: int
    out: str
    err: str

    @property
    def summary(self) -> str:
        return self.out.splitlines()[0]


def import_people(path, *args) -> Run:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import-people", str(path), *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return Run(exc.code, out.getvalue(), err.getvalue())
    return Run(0, out.getvalue(), err.getvalue())


def report_of(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def imported() -> list[str]:
    return sorted(Person.objects.exclude(name="李同学").values_list("name", flat=True))


@pytest.fixture
def counts():
    def _counts():
        return Person.objects.count(), AuditEntry.objects.count()

    return _counts


def test_good_rows_are_imported(world, tmp_path):
    run = import_people(xlsx(tmp_path / "people.xlsx", GOOD))
    assert run.status == 0
    assert run.summary == "导入完成：共 3 行，新增 3，更新 0，未变 0，错误 0，警告 0。"
    assert imported() == ["孙三", "赵一", "钱二"]
    qian = Person.objects.get(name="钱二")
    assert (qian.plain_id_number(), qian.student_number, qian.org_unit, qian.category, qian.enrolment_year,
            qian.plain_phone(), qian.gender, qian.birth_date) == (
        id_number(102), "2024002", world.econ, Category.GRADUATE, 2024, "13900000002", "F", BIRTH)
    assert Person.objects.get(name="孙三").org_unit == world.law


def test_the_import_is_on_the_audit_trail_person_by_person(world, tmp_path):
    import_people(xlsx(tmp_path / "people.xlsx", GOOD), "--as", "officer")
    creates = AuditEntry.objects.filter(action="people.create", details__via="import")
    assert sorted(creates.values_list("summary", flat=True)) == [
        "导入新增人员 孙三", "导入新增人员 赵一", "导入新增人员 钱二"]
    assert set(creates.values_list("actor_id", flat=True)) == {world.officer.pk}
    summary = AuditEntry.objects.get(action="people.import")
    assert summary.details == {"rows": 3, "created": 3, "updated": 0, "errors": 0}


def test_each_entry_on_the_trail_names_the_person_its_row_created_across_chunks(world, tmp_path, monkeypatch):
    monkeypatch.setattr("tongban.people.imports.CHUNK", 2)  # three rows: two chunks
    import_people(xlsx(tmp_path / "people.xlsx", GOOD), "--as", "officer")
    creates = AuditEntry.objects.filter(action="people.create", details__via="import")
    assert sorted((e.summary, Person.objects.get(pk=e.object_id).name) for e in creates) == [
        ("导入新增人员 孙三", "孙三"), ("导入新增人员 赵一", "赵一"), ("导入新增人员 钱二", "钱二")]


def test_a_person_added_by_hand_after_an_import_gets_an_id_of_their_own(world, tmp_path):
    import_people(xlsx(tmp_path / "people.xlsx", GOOD))
    # The import writes ids it drew from the table's sequence (PostgreSQL): the next is free.
    world.person(name="周四")
    assert imported() == ["周四", "孙三", "赵一", "钱二"]


def test_each_bad_row_is_reported_by_row_column_and_reason_and_the_good_rows_still_go_in(world, tmp_path):
    bad_check_digit = id_number(104)[:17] + ("0" if id_number(104)[17] != "0" else "1")
    rows = [
        GOOD[0],
        ["周四", bad_check_digit, "2024004", "经济学院", "本科生", "2024", ""],
        row("吴五", 105, "2024005", category="访问学者"),
        row("郑六", 106, "2024006", unit="火星学院"),
        row("", 107, "2024007"),
        row("王七", 108, "2024008", phone="12345"),
        row("冯八", 109, "2024009", year="1800"),
        row("陈九", 110, "", category="本科生"),
        GOOD[1],
    ]
    report = tmp_path / "report.csv"
    run = import_people(xlsx(tmp_path / "people.xlsx", rows), "--report", str(report))
    assert run.status == 1
    assert run.summary == "导入完成：共 9 行，新增 2，更新 0，未变 0，错误 7，警告 0。"
    assert imported() == ["赵一", "钱二"]
    assert [(r["row"], r["field"], r["value"], r["error"]) for r in report_of(report)] == [
        ("3", "身份证号", mask_id_number(bad_check_digit), "身份证号校验位不正确"),
        ("4", "人员类别", "访问学者", "人员类别应为以下之一：本科生、研究生、教职工、居民、其他"),
        ("5", "学院", "火星学院", "找不到单位「火星学院」，或您无权导入该单位的人员"),
        ("6", "姓名", "", "姓名不能为空"),
        ("7", "手机号", "*****", "手机号应为 11 位数字，以 1 开头"),
        ("8", "入学年份", "1800", f"入学年份应为 1950 至 {dt.date.today().year + 1} 之间的四位年份"),  # noqa: DTZ011
        ("9", "学号", "", "学号/工号不能为空"),
    ]
    assert "  第 3 行 [身份证号] " + mask_id_number(bad_check_digit) + "：身份证号校验位不正确" in run.out


def test_the_report_has_its_header_and_never_a_whole_id_number(world, tmp_path):
    rows = [
        row("赵一", 101, "2024001", category="访问学者"),
        row("钱二", 101, "2024002"),  # same ID as row 2: refused on this row
        ["孙三", id_number(103)[:17] + "Y", "2024003", "经济学院", "本科生", "", ""],
    ]
    report = tmp_path / "report.csv"
    import_people(xlsx(tmp_path / "people.xlsx", rows), "--report", str(report))
    text = report.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "row,field,value,error"
    assert not re.search(r"\d{17}[\dXxY]", text)
    assert mask_id_number(id_number(101)) in text


def test_a_report_is_written_even_when_every_row_is_good(world, tmp_path):
    report = tmp_path / "report.csv"
    assert import_people(xlsx(tmp_path / "people.xlsx", GOOD), "--report", str(report)).status == 0
    assert report.read_text(encoding="utf-8-sig") == "row,field,value,error\n"


def test_importing_the_same_file_again_changes_nothing(world, tmp_path, counts):
    path = xlsx(tmp_path / "people.xlsx", GOOD)
    import_people(path)
    people_before, _ = counts()
    run = import_people(path)
    assert run.status == 0
    assert run.summary == "导入完成：共 3 行，新增 0，更新 0，未变 3，错误 0，警告 0。"
    assert counts()[0] == people_before
    assert AuditEntry.objects.filter(action="people.update").count() == 0


def test_a_changed_name_updates_the_person_it_belongs_to(world, tmp_path):
    import_people(xlsx(tmp_path / "people.xlsx", GOOD))
    zhao = Person.objects.get(name="赵一")
    renamed = [["赵壹", *GOOD[0][1:]], *GOOD[1:]]
    run = import_people(xlsx(tmp_path / "people.xlsx", renamed))
    assert run.summary == "导入完成：共 3 行，新增 0，更新 1，未变 2，错误 0，警告 0。"
    zhao_after = Person.objects.get(pk=zhao.pk)
    assert zhao_after.name == "赵壹"
    assert zhao_after.updated_at > zhao.updated_at
    update = AuditEntry.objects.get(action="people.update")
    assert (update.object_id, update.details) == (str(zhao.pk), {"via": "import", "fields": ["name"]})


def test_a_moved_student_and_a_new_phone_are_updated_too(world, tmp_path):
    import_people(xlsx(tmp_path / "people.xlsx", GOOD))
    moved = [row("赵一", 101, "2024001", unit="法学院", phone="13900000001"), *GOOD[1:]]
    assert import_people(xlsx(tmp_path / "people.xlsx", moved)).status == 0
    zhao = Person.objects.get(name="赵一")
    assert (zhao.org_unit, zhao.plain_phone(), zhao.phone_masked) == (world.law, "13900000001", "139****0001")
    assert AuditEntry.objects.get(action="people.update").details["fields"] == ["org_unit", "phone"]


def test_a_duplicate_id_number_is_reported_on_its_second_row_naming_the_first(world, tmp_path):
    rows = [GOOD[0], GOOD[1], row("赵一的重名", 101, "2024099")]
    report = tmp_path / "report.csv"
    run = import_people(xlsx(tmp_path / "people.xlsx", rows), "--report", str(report))
    assert run.status == 1
    assert [(r["row"], r["field"], r["value"], r["error"]) for r in report_of(report)] == [
        ("4", "身份证号", mask_id_number(id_number(101)), "与第 2 行的身份证号重复")]
    assert imported() == ["赵一", "钱二"]


def test_a_duplicate_student_number_is_reported_on_its_second_row_naming_the_first(world, tmp_path):
    rows = [GOOD[0], GOOD[1], row("周四", 104, "2024001")]
    report = tmp_path / "report.csv"
    import_people(xlsx(tmp_path / "people.xlsx", rows), "--report", str(report))
    assert [(r["row"], r["field"], r["value"], r["error"]) for r in report_of(report)] == [
        ("4", "学号", "2024001", "与第 2 行的学号/工号重复")]
    assert imported() == ["赵一", "钱二"]


def test_a_student_number_someone_else_already_holds_is_refused(world, tmp_path):
    holder = world.person(name="原持有人", student_number="2024001")
    report = tmp_path / "report.csv"
    run = import_people(xlsx(tmp_path / "people.xlsx", GOOD, header=["姓名", "身份证号", "工号", "学院", "人员类别",
                                                                      "入学年份", "手机号"]),
                        "--report", str(report))
    assert run.status == 1
    assert [(r["row"], r["field"], r["error"]) for r in report_of(report)] == [
        ("2", "工号", "该学号/工号已属于另一人员")]
    assert imported() == ["原持有人", "孙三", "钱二"]
    assert Person.objects.get(student_number="2024001") == holder


def test_a_dry_run_checks_every_row_and_writes_nothing(world, tmp_path, counts):
    before = counts()
    run = import_people(xlsx(tmp_path / "people.xlsx", [*GOOD, row("坏", 104, "2024004", unit="火星学院")]),
                        "--dry-run")
    assert run.status == 1
    assert run.summary == "检查完成：共 4 行，新增 3，更新 0，未变 0，错误 1，警告 0。"
    assert counts() == before


def test_a_missing_required_header_stops_the_import_before_anything_is_written(world, tmp_path, counts):
    before = counts()
    header = ["姓名", "身份证号", "学号", "学院"]
    run = import_people(xlsx(tmp_path / "people.xlsx", [r[:4] for r in GOOD], header=header))
    assert run.status == 2
    assert run.err.strip() == ("无法导入：缺少必需的表头：人员类别。"
                               "第 1 行应包含：姓名、身份证号、学号、学院、人员类别、入学年份、手机号。")
    assert counts() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (random.Random(7).randbytes(4096), "无法识别文件编码，请保存为 UTF-8 或 Excel (.xlsx) 格式。"),
        (OLE_HEADER + bytes(1024), "不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。"),
        (b"PK\x03\x04" + bytes(1024), "无法读取该 Excel 文件，文件可能已损坏。"),
        (b"", "文件是空的或不存在。"),
    ],
    ids=["random-bytes", "old-xls", "broken-zip", "empty"],
)
def test_a_file_that_cannot_be_read_stops_the_import_with_status_2(world, tmp_path, counts, content, message):
    path = tmp_path / "people.xlsx"
    path.write_bytes(content)
    before = counts()
    run = import_people(path)
    assert (run.status, run.err.strip()) == (2, f"无法导入：{message}")
    assert counts() == before


def test_an_xlsx_file_renamed_to_csv_is_still_read(world, tmp_path):
    xlsx(tmp_path / "people.xlsx", GOOD).rename(tmp_path / "people.csv")
    assert import_people(tmp_path / "people.csv").status == 0
    assert imported() == ["孙三", "赵一", "钱二"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_csv_file_imports_whatever_excel_saved_it_as(world, tmp_path, encoding):
    run = import_people(write_csv(tmp_path / "people.csv", GOOD, encoding=encoding))
    assert run.summary == "导入完成：共 3 行，新增 3，更新 0，未变 0，错误 0，警告 0。"
    assert imported() == ["孙三", "赵一", "钱二"]
    assert Person.objects.get(name="赵一").org_unit == world.econ


@pytest.mark.parametrize("pad", [0, 1, 2])
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_csv_file_over_a_megabyte_is_not_refused_for_its_encoding(world, tmp_path, pad, encoding):
    # The encoding is guessed from the first MiB; a multi-byte character cut at its end
    # must not make the guess fail. Padding shifts where the cut falls.
    notes = "备" * 30_000
    rows = [[*row(f"学生{i}", 200 + i, f"2024{i:03d}"), notes] for i in range(20)]
    path = write_csv(tmp_path / "people.csv", rows, header=[*HEADER, "备注" + "a" * pad], encoding=encoding)
    assert path.stat().st_size > 1 << 20
    run = import_people(path)
    assert (run.status, run.err) == (0, "")
    assert Person.objects.filter(name__startswith="学生").count() == 20


def test_rows_are_numbered_as_excel_shows_them_even_when_a_cell_spans_lines(world, tmp_path):
    text = ("姓名,身份证号,学号,学院,人员类别,备注\n"
            f'赵一,{id_number(101)},2024001,经济学院,本科生,"第一行\n第二行"\n'
            "\n"
            f"钱二,{id_number(102)},2024002,经济学院,博士后,\n")
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    report = tmp_path / "report.csv"
    import_people(path, "--report", str(report))
    assert [(r["row"], r["field"]) for r in report_of(report)] == [("4", "人员类别")]
    assert imported() == ["赵一"]


def test_a_csv_file_with_an_unpaired_quote_stops_with_status_2(world, tmp_path, counts):
    text = ("姓名,身份证号,学号,学院,人员类别\n"
            f'"赵一,{id_number(101)},2024001,经济学院,本科生\n' + "x" * 140_000 + "\n")
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    before = counts()
    run = import_people(path)
    assert run.status == 2
    assert run.err.startswith("无法导入：CSV 文件第 2 行起无法解析")
    assert counts() == before


def test_a_nul_character_is_reported_not_written(world, tmp_path):
    path = write_csv(tmp_path / "people.csv", [["赵\x00一", *GOOD[0][1:]], GOOD[1]])
    report = tmp_path / "report.csv"
    run = import_people(path, "--report", str(report))
    assert run.status == 1
    assert [(r["row"], r["field"], r["error"]) for r in report_of(report)] == [
        ("2", "姓名", "含有空字符（NUL），文件可能已损坏")]
    assert imported() == ["钱二"]


def test_an_id_number_excel_stored_as_a_number_is_reported(world, tmp_path):
    rows = [[GOOD[0][0], int(id_number(101)[:15]), *GOOD[0][2:]], GOOD[1]]
    report = tmp_path / "report.csv"
    import_people(xlsx(tmp_path / "people.xlsx", rows), "--report", str(report))
    problems = report_of(report)
    assert [(r["row"], r["field"]) for r in problems] == [("2", "身份证号")]
    assert "存成了数字" in problems[0]["error"]
    assert imported() == ["钱二"]


def test_a_15_digit_number_is_upgraded_with_a_warning_and_imported(world, tmp_path):
    old = "110105900101002"
    report = tmp_path / "report.csv"
    run = import_people(xlsx(tmp_path / "people.xlsx", [["老号", old, "2024001", "经济学院", "教职工", "", ""]]),
                        "--report", str(report))
    assert run.status == 0
    assert run.summary == "导入完成：共 1 行，新增 1，更新 0，未变 0，错误 0，警告 1。"
    assert Person.objects.get(name="老号").plain_id_number() == "110105199001010029"
    assert [(r["row"], r["error"]) for r in report_of(report)] == [
        ("2", "警告：15 位旧号码已升级为 18 位：110105********0029")]


def test_header_aliases_and_marked_required_headers_are_understood(world, tmp_path):
    header = ["*姓名", "身份证号码", "工号", "单位", "*人员类别", "手机号码"]
    rows = [["周老师", id_number(301), "T0001", "法学院", "教师", "13700000001"]]
    assert import_people(xlsx(tmp_path / "staff.xlsx", rows, header=header)).status == 0
    teacher = Person.objects.get(name="周老师")
    assert (teacher.student_number, teacher.org_unit, teacher.category, teacher.phone_masked) == (
        "T0001", world.law, Category.STAFF, "137****0001")


def test_blank_lines_are_skipped_without_complaint(world, tmp_path):
    rows = [GOOD[0], [None] * 7, GOOD[1]]
    run = import_people(xlsx(tmp_path / "people.xlsx", rows))
    assert (run.status, imported()) == (0, ["赵一", "钱二"])


def test_a_row_outside_the_importers_reach_is_refused(world, tmp_path):
    rows = [row("东门居民", 401, "", unit="东门派出所", category="居民"), row("经院学生", 402, "2024401")]
    report = tmp_path / "report.csv"
    run = import_people(xlsx(tmp_path / "people.xlsx", rows), "--as", "clerk", "--report", str(report))
    assert run.status == 1
    assert [(r["row"], r["field"], r["value"], r["error"]) for r in report_of(report)] == [
        ("3", "学院", "经济学院", "找不到单位「经济学院」，或您无权导入该单位的人员")]
    assert imported() == ["东门居民"]


def test_a_person_already_registered_outside_the_importers_reach_is_left_alone(world, tmp_path):
    world.person(name="经院学生", unit=world.econ, id_number=id_number(402))
    rows = [row("改名", 402, "", unit="东门派出所", category="居民")]
    report = tmp_path / "report.csv"
    run = import_people(xlsx(tmp_path / "people.xlsx", rows), "--as", "clerk", "--report", str(report))
    assert run.status == 1
    assert [(r["row"], r["field"], r["error"]) for r in report_of(report)] == [
        ("2", "身份证号", "该人员已登记在您无权管理的单位")]
    assert Person.objects.get(name="经院学生").org_unit == world.econ


def test_an_account_that_may_not_import_is_refused_with_status_2(world, tmp_path, counts):
    before = counts()
    run = import_people(xlsx(tmp_path / "people.xlsx", GOOD), "--as", "college_admin")
    assert (run.status, run.err.strip()) == (2, "无法导入：您没有权限执行此操作。")
    assert counts() == before
