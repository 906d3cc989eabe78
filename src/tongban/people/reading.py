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

from django.utils.translation import gettext_lazy as _

from tongban.lib.errors import ApplicationError

# Header → field. Aliases map to the same field.
HEADERS = {
    "姓名": "name",  # i18n: data
    "身份证号": "id_number",  # i18n: data
    "身份证号码": "id_number",  # i18n: data
    "学号": "student_number",  # i18n: data
    "工号": "student_number",  # i18n: data
    "学院": "org_unit",  # i18n: data
    "单位": "org_unit",  # i18n: data
    "人员类别": "category",  # i18n: data
    "入学年份": "enrolment_year",  # i18n: data
    "手机号": "phone",  # i18n: data
    "手机号码": "phone",  # i18n: data
}
# The headers as the file must write them, whatever the page's language.
REQUIRED = {"name": "姓名", "id_number": "身份证号", "student_number": "学号（或工号）",  # i18n: data
            "org_unit": "学院（或单位）", "category": "人员类别"}  # i18n: data
TEMPLATE_HEADERS = ["姓名", "身份证号", "学号", "学院", "人员类别", "入学年份", "手机号"]  # i18n: data


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
        raise UnreadableFile("file_xls",
            _("Old .xls files are not supported: save the file as .xlsx in Excel and import it again."))
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
    raise UnreadableFile("file_encoding",
        _("The file's encoding is not recognised: save it as UTF-8 or as Excel (.xlsx)."))


class _Unreadable(Exception):
    """Raised where no message can be made (a reading child has no Django): the code only."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)
        self.code, self.detail = code, detail


XLSX_MESSAGES = {
    "file_unreadable": _("The Excel file cannot be read; it may be damaged."),
    "file_empty": _("The file is empty: row 1 should be the header."),
}

# A file this large is read in a child process, so that parsing its XML (as long as the
# checks and writes together) runs beside them on a second core; a smaller one is read
# in-process, where starting a child would cost more than it saves.
READ_AHEAD_BYTES = 256 * 1024
READ_AHEAD_BATCH = 1000


def _open_xlsx(path: Path) -> tuple[list, int | None, Iterator[tuple], Callable[[], None]]:
    """The header, the row count, the data rows and a closer; raises _Unreadable."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    fh = path.open("rb")  # closed with the workbook, by close()
    try:
        # Opened from a file object, not a path: openpyxl refuses a path whose name does
        # not end in .xlsx, and an Excel file renamed .csv is still an Excel file.
        workbook = load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as exc:
        fh.close()
        raise _Unreadable("file_unreadable", repr(exc)) from exc

    def close() -> None:
        workbook.close()
        fh.close()

    sheet = workbook.worksheets[0]
    total = (sheet.max_row - 1) if sheet.max_row else None
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        close()
        raise _Unreadable("file_empty")
    return list(header), total, rows, close


def _read_xlsx_into(path: str, out) -> None:
    """In the child: send the header, then the rows in batches, then the end (or an error
    code). The pipe's buffer holds the child back when the importer falls behind, so the
    file is streamed, never held whole."""
    try:
        header, total, rows, close = _open_xlsx(Path(path))
        try:
            out.send(("head", header, total))
            batch: list[list] = []
            for values in rows:
                batch.append(list(values))
                if len(batch) >= READ_AHEAD_BATCH:
                    out.send(("rows", batch))
                    batch = []
            out.send(("rows", batch))
            out.send(("end",))
        finally:
            close()
    except _Unreadable as exc:
        out.send(("error", exc.code, exc.detail))
    except (BrokenPipeError, EOFError):
        pass  # the importer stopped reading (a header refused, or it failed): nothing to tell
    except Exception as exc:  # damaged part-way: the importer reports it as an unreadable file
        out.send(("error", "file_unreadable", repr(exc)))
    finally:
        out.close()


def _unreadable(code: str, detail: str = "") -> UnreadableFile:
    error = UnreadableFile(code, XLSX_MESSAGES[code])
    error.__cause__ = RuntimeError(detail) if detail else None
    return error


def _xlsx_rows_read_ahead(path: Path) -> tuple[list, int | None, Iterator[tuple[int, list]], Callable[[], None]]:
    import multiprocessing

    # forkserver, not fork: the importer may run in a threaded worker, and a forked child
    # of a threaded process can inherit a lock held by another thread.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_read_xlsx_into, args=(str(path), sender), daemon=True)
    child.start()
    sender.close()

    def close() -> None:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()
            child.join()

    def receive() -> tuple:
        try:
            message = receiver.recv()
        except EOFError:
            message = ("error", "file_unreadable", f"the reading process ended ({child.exitcode})")
        if message[0] == "error":
            raise _unreadable(*message[1:])
        return message

    try:
        _, header, total = receive()
    except UnreadableFile:
        close()
        raise

    def numbered() -> Iterator[tuple[int, list]]:
        number = 1
        try:
            while (message := receive())[0] == "rows":
                for values in message[1]:
                    number += 1
                    yield number, values
        finally:
            close()

    return header, total, numbered(), close


def _xlsx_rows(path: Path) -> tuple[list, int | None, Iterator[tuple[int, list]], Callable[[], None]]:
    if path.stat().st_size >= READ_AHEAD_BYTES:
        return _xlsx_rows_read_ahead(path)
    try:
        header, total, rows, close = _open_xlsx(path)
    except _Unreadable as exc:
        raise _unreadable(exc.code, exc.detail) from None

    def numbered() -> Iterator[tuple[int, list]]:
        try:
            for number, values in enumerate(rows, start=2):
                yield number, list(values)
        finally:
            close()

    return header, total, numbered(), close


def _csv_rows(path: Path) -> tuple[list, int | None, Iterator[tuple[int, list]], Callable[[], None]]:
    encoding = _csv_encoding(path)
    fh = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by the row generator
    reader = csv.reader(fh)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        fh.close()
        raise UnreadableFile("file_unreadable", _("The CSV file cannot be parsed: %(error)s") % {"error": exc}) from exc
    if header is None:
        fh.close()
        raise UnreadableFile("file_empty", _("The file is empty: row 1 should be the header."))

    def numbered() -> Iterator[tuple[int, list]]:
        # Count records, not lines (reader.line_num): a quoted cell may span lines, and
        # Excel shows its record as one row.
        number = 1
        try:
            for number, values in enumerate(reader, start=2):
                yield number, values
        except csv.Error as exc:
            raise UnreadableFile("file_unreadable",
                                 _("The CSV file cannot be parsed from row %(row)s on (%(error)s): "
                                   "check for an unpaired quote.")
                                     % {
                                     "row": number + 1, "error": exc}
                                 ) from exc
        finally:
            fh.close()

    return header, None, numbered(), fh.close


def open_sheet(path: Path) -> Sheet:
    """Open the file, check its header row, and return its data rows lazily. Raises
    UnreadableFile for a file that cannot be imported at all."""
    if not path.exists() or path.stat().st_size == 0:
        raise UnreadableFile("file_empty", _("The file is empty or does not exist."))
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
            _("Required headers are missing: %(missing)s. Row 1 should hold: %(headers)s.") % {
                "missing": "、".join(missing), "headers": "、".join(TEMPLATE_HEADERS)},  # i18n: data
            extra={"missing": missing},
        )
    return Sheet(columns, names, total, rows)


def template_xlsx() -> bytes:
    """The file offered for download on the import page."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员"  # i18n: data
    sheet.append(TEMPLATE_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["张三", "110105200501010011", "2025010001", "经济学院", "本科生", 2025, "13800000000"])  # i18n: data
    # Text format for the number columns: Excel would otherwise turn an ID number into
    # a float and lose its last digits.
    for letter in ("B", "C", "G"):
        for cell in sheet[letter]:
            cell.number_format = "@"
        sheet.column_dimensions[letter].width = 22
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
