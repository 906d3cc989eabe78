import datetime as dt
import io
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from tongban.lib import excel


def _read(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet, [[c.value for c in row] for row in sheet.iter_rows()]


def test_a_sheet_has_its_title_header_and_rows_and_counts_them():
    written = excel.workbook(title="借用记录", header=["姓名", "应还日期"],
                             rows=iter([["张三", dt.date(2026, 12, 3)], ["李四", None]]))
    sheet, rows = _read(written.content)
    assert sheet.title == "借用记录" and written.rows == 2
    assert rows[0] == ["姓名", "应还日期"]
    assert rows[1][0] == "张三" and rows[1][1].date() == dt.date(2026, 12, 3)
    assert rows[2] == ["李四", None]


def test_a_text_that_looks_like_a_formula_stays_text():
    written = excel.workbook(title="x", header=["姓名"], rows=[['=HYPERLINK("http://evil","点我")']])
    sheet, rows = _read(written.content)
    assert sheet["A2"].data_type == "s"
    assert rows[1] == ['=HYPERLINK("http://evil","点我")']


def test_an_aware_time_is_written_in_local_time_and_other_values_as_their_text(settings):
    at = dt.datetime(2026, 12, 3, 2, 0, tzinfo=ZoneInfo("UTC"))
    written = excel.workbook(title="x", header=["时间", "金额"], rows=[[at, Ninety()]])
    _, rows = _read(written.content)
    local = dt.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert rows[1] == [local, "九十"]


class Ninety:
    def __str__(self):
        return "九十"


def test_the_download_names_a_chinese_file_for_every_browser():
    response = excel.download(b"PK", "集体户口 概况.xlsx")
    assert response["Content-Type"] == excel.XLSX
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E9%9B%86%E4%BD%93%E6%88%B7%E5%8F%A3%20%E6%A6%82%E5%86%B5.xlsx")
