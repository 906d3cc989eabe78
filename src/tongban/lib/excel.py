"""Excel out: one way to write a sheet and one way to send it, for every export.

People live in Excel, so every list can leave as a workbook. A sheet is written in
openpyxl's write-only mode (rows stream; memory stays flat for 100,000 rows), and a text
that begins with "=" stays text: openpyxl would store it as a formula, and a name or a
purpose typed as `=HYPERLINK(…)` would run in the reader's Excel.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = "="


@dataclass(frozen=True)
class Written:
    content: bytes
    rows: int  # data rows, the header not counted


def _cell(sheet, value: Any):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    if value is not None and not isinstance(value, (str, int, float, dt.date, dt.time)):
        return str(value)  # a lazy translation, a Decimal, a model: its text
    return value


def workbook(*, title: object, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Written:
    """One sheet named `title` with a header row, then `rows` (any iterable, consumed once)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(title)[:31])  # Excel's limit on a sheet's name
    sheet.append([_cell(sheet, h) for h in header])
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
    out = io.BytesIO()
    book.save(out)
    return Written(out.getvalue(), count)


def download(content: bytes, filename: str) -> HttpResponse:
    """The workbook as an attachment; the name may be Chinese (RFC 6266 filename*)."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
