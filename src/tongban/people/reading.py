"""Reading a people file row by row, whatever Excel saved it as.

xlsx is streamed with openpyxl's read-only mode; CSV is read as UTF-8 (with or without
BOM) or, failing that, GB18030, which is what Excel on a Chinese Windows writes. The
header is row 1; data rows carry their spreadsheet row number.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tongban.lib.errors import ApplicationError

# Header → field. Aliases map to the same field.
HEADERS = {
    "姓名": "name",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "学号": "student_number",
    "工号": "student_number",
    "学院": "org_unit",
    "单位": "org_unit",
    "人员类别": "category",
    "入学年份": "enrolment_year",
    "手机号": "phone",
    "手机号码": "phone",
}
REQUIRED = {"name": "姓名", "id_number": "身份证号", "student_number": "学号（或工号）",
            "org_unit": "学院（或单位）", "category": "人员类别"}
TEMPLATE_HEADERS = ["姓名", "身份证号", "学号", "学院", "人员类别", "入学年份", "手机号"]


class UnreadableFile(ApplicationError):
    """The file as a whole cannot be imported; nothing is written."""


@dataclass
class Sheet:
    columns: dict[str, int]  # field → column position
    header_names: dict[str, str]  # field → header as written in the file
    total: int | None  # data rows, when the format says so up front
    rows: Iterator[tuple[int, list]]


def _sniff(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("file_xls", "不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。")
    return "csv"


def _csv_encoding(path: Path) -> str:
    with path.open("rb") as fh:
        sample = fh.read(1 << 20)
        whole = not fh.read(1)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # An incremental decoder with final=False accepts a multi-byte character cut
            # at the end of the sample (a fixed trim does not: it can cut one in two).
            codecs.getincrementaldecoder(encoding)().decode(sample, final=whole)
            return encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("file_encoding", "无法识别文件编码，请保存为 UTF-8 或 Excel (.xlsx) 格式。")


def _xlsx_rows(path: Path) -> tuple[list, int | None, Iterator[tuple[int, list]], Callable[[], None]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    fh = path.open("rb")  # closed with the workbook, by close()
    try:
        # Opened from a file object, not a path: openpyxl refuses a path whose name does
        # not end in .xlsx, and an Excel file renamed .csv is still an Excel file.
        workbook = load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as exc:
        fh.close()
        raise UnreadableFile("file_unreadable", "无法读取该 Excel 文件，文件可能已损坏。") from exc

    def close() -> None:
        workbook.close()
        fh.close()

    sheet = workbook.worksheets[0]
    total = (sheet.max_row - 1) if sheet.max_row else None
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        close()
        raise UnreadableFile("file_empty", "文件是空的：第 1 行应为表头。")

    def numbered() -> Iterator[tuple[int, list]]:
        try:
            for number, values in enumerate(rows, start=2):
                yield number, list(values)
        finally:
            close()

    return list(header), total, numbered(), close


def _csv_rows(path: Path) -> tuple[list, int | None, Iterator[tuple[int, list]], Callable[[], None]]:
    encoding = _csv_encoding(path)
    fh = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by the row generator
    reader = csv.reader(fh)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        fh.close()
        raise UnreadableFile("file_unreadable", f"无法解析 CSV 文件：{exc}") from exc
    if header is None:
        fh.close()
        raise UnreadableFile("file_empty", "文件是空的：第 1 行应为表头。")

    def numbered() -> Iterator[tuple[int, list]]:
        # Count records, not lines (reader.line_num): a quoted cell may span lines, and
        # Excel shows its record as one row.
        number = 1
        try:
            for number, values in enumerate(reader, start=2):
                yield number, values
        except csv.Error as exc:
            raise UnreadableFile("file_unreadable",
                                 f"CSV 文件第 {number + 1} 行起无法解析（{exc}），请检查是否有未配对的引号。"
                                 ) from exc
        finally:
            fh.close()

    return header, None, numbered(), fh.close


def open_sheet(path: Path) -> Sheet:
    """Open the file, check its header row, and return its data rows lazily. Raises
    UnreadableFile for a file that cannot be imported at all."""
    if not path.exists() or path.stat().st_size == 0:
        raise UnreadableFile("file_empty", "文件是空的或不存在。")
    kind = _sniff(path)
    header, total, rows, close = _xlsx_rows(path) if kind == "xlsx" else _csv_rows(path)
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    for position, cell in enumerate(header):
        text = str(cell or "").strip().replace("*", "")
        field = HEADERS.get(text)
        if field and field not in columns:
            columns[field] = position
            names[field] = text
    missing = [label for field, label in REQUIRED.items() if field not in columns]
    if missing:
        # Not rows.close(): a generator that never started does not run its `finally`.
        close()
        raise UnreadableFile(
            "file_headers",
            f"缺少必需的表头：{'、'.join(missing)}。第 1 行应包含：{'、'.join(TEMPLATE_HEADERS)}。",
            extra={"missing": missing},
        )
    return Sheet(columns, names, total, rows)


def template_xlsx() -> bytes:
    """The file offered for download on the import page."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员"
    sheet.append(TEMPLATE_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["张三", "110105200501010011", "2025010001", "经济学院", "本科生", 2025, "13800000000"])
    # Text format for the number columns: Excel would otherwise turn an ID number into
    # a float and lose its last digits.
    for letter in ("B", "C", "G"):
        for cell in sheet[letter]:
            cell.number_format = "@"
        sheet.column_dimensions[letter].width = 22
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
