"""Exports for the people who open them: every table as CSV and as XLSX, with headers and
values in the reader's language (yes/no, titles rather than slugs), dates as dates,
numbers as numbers, and nothing a spreadsheet could run as a formula.

CSV is UTF-8 with a BOM (Excel then reads Cyrillic right). Excel splits CSV on the list
separator of the computer's regional settings: a comma in English, a semicolon in Russian
and Kazakh (where the comma is the decimal mark). So a ru/kk reader gets `;` and decimal
commas, an English reader `,`; `?sep=comma|semicolon` overrides. XLSX sidesteps all of it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response, request, stream_with_context
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lms.domain.safe_files import FORMULA_STARTS, neutralise_cell
from lms.i18n import current_locale

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
SEMICOLON_LANGUAGES = ("ru", "kk")


@dataclass(frozen=True)
class Column:
    label: object  # a lazy string: translated when the file is written
    kind: str = "text"  # text, int, number, yesno, date, datetime, month


@dataclass
class Table:
    name: str  # the sheet's title and part of the file name
    columns: list[Column]
    rows: Iterable[tuple]


def yes_no(value) -> str:
    return _("yes") if value else _("no")


def _month(value) -> date | None:
    """"2026-11" as the first day of that month (a real date in XLSX)."""
    try:
        year, month = str(value).split("-")[:2]
        return date(int(year), int(month), 1)
    except (TypeError, ValueError):
        return None


# ---- CSV


def csv_delimiter(language: str, asked: str | None = None) -> str:
    if asked in ("comma", ","):
        return ","
    if asked in ("semicolon", ";"):
        return ";"
    return ";" if language in SEMICOLON_LANGUAGES else ","


def csv_cell(value, kind: str, *, decimal_comma: bool = False) -> str:
    if value is None or value == "":
        return ""
    if kind == "yesno":
        return yes_no(value)
    if kind in ("int", "number") and isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{value:g}" if isinstance(value, float) else str(value)
        return text.replace(".", ",") if decimal_comma else text  # a number is never a formula
    if kind == "datetime" and isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if kind == "month":
        return str(value)[:7]
    if isinstance(value, date):
        return value.isoformat()
    return neutralise_cell(value)


def csv_rows(table: Table, *, delimiter: str = ",") -> Iterator[str]:
    """The table as CSV text, in chunks of about 64 KB, so large exports stream."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    decimal_comma = delimiter == ";"
    yield "\ufeff"
    writer.writerow([neutralise_cell(str(column.label)) for column in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(value, column.kind, decimal_comma=decimal_comma)
                         for value, column in zip(row, table.columns, strict=False)])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# ---- XLSX

NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "month": "yyyy-mm", "number": "0.0"}


def _xlsx_value(value, kind: str):
    if value is None or value == "":
        return None
    if kind == "yesno":
        return yes_no(value)
    if kind in ("int", "number") and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if kind == "month":
        return _month(value) or str(value)
    if kind == "datetime" and isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)  # Excel has no time zones
    if kind in ("date", "datetime") and isinstance(value, date):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))  # control characters make the file unreadable


def xlsx_cell(sheet, value, kind: str) -> WriteOnlyCell:
    """One cell. Text is always stored as text: openpyxl would store "=..." as a formula,
    so the type is forced, and a leading formula character gets Excel's quote prefix so
    the text stays text even after someone edits the cell."""
    shown = _xlsx_value(value, kind)
    cell = WriteOnlyCell(sheet, value=shown)
    if isinstance(shown, str):
        cell.data_type = "s"
        if shown.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    elif kind in NUMBER_FORMATS and shown is not None:
        cell.number_format = NUMBER_FORMATS[kind]
    return cell


def _sheet_title(name: str) -> str:
    # Excel's limits: 31 characters, none of []:*?/\
    return "".join("-" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "data"


def xlsx_bytes(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(table.name))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, start=1):
        wide = {"date": 12, "datetime": 17, "month": 10}.get(column.kind, 10)
        sheet.column_dimensions[get_column_letter(index)].width = max(wide, min(len(str(column.label)) + 2, 40))
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = xlsx_cell(sheet, str(column.label), "text")
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([xlsx_cell(sheet, value, column.kind) for value, column in zip(row, table.columns, strict=False)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---- responses


def download(table: Table, fmt: str, filename: str) -> Response:
    """`filename` without extension; the format is "csv" or "xlsx"."""
    if fmt == "xlsx":
        return Response(xlsx_bytes(table), mimetype=XLSX_MIMETYPE,
                        headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'})
    delimiter = csv_delimiter(current_locale(), request.args.get("sep"))
    return Response(stream_with_context(csv_rows(table, delimiter=delimiter)), mimetype="text/csv",
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


def dict_table(name: str, columns: list[tuple[str, Column]], rows: list[dict],
               convert: dict[str, Callable] | None = None) -> Table:
    """A table from the dashboard's row dicts: (key, column) pairs pick and order the keys."""
    convert = convert or {}
    return Table(name, [column for _key, column in columns],
                 [tuple(convert.get(key, lambda v: v)(row.get(key)) for key, _c in columns) for row in rows])
