"""A published open-data table as a file: CSV (UTF-8 with a byte-order mark, so spreadsheets
read the names right) or an Excel workbook. Suppressed cells are empty with the flag ``x``;
the total comes first."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from peduli.core.i18n import in_language
from peduli.stats import release_labels
from peduli.stats.releases import PublishedTable

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUPPRESSED_FLAG = "x"
HEADERS = ("month", "dimension", "country", "code", "label", "value", "flag")


def rows_of(table: PublishedTable, language: str = "en") -> list[list[Any]]:
    """The header, the total, then one row per cell; names in ``language``."""
    month = table.month.strftime("%Y-%m")
    total_label = in_language(release_labels.TOTAL, language)
    rows: list[list[Any]] = [list(HEADERS)]
    rows.append(_row(month, "total", "", "", total_label, table.total))
    for cell in table.cells:
        label = release_labels.category(table.dimension, cell.code, language)
        rows.append(_row(month, table.dimension, cell.parent, cell.code, label, cell.value))
    return rows


def _row(
    month: str, dimension: str, parent: str, code: str, label: str, value: int | None
) -> list[Any]:
    # Names come from reference data, but a name starting like a formula is quoted anyway.
    safe = "'" + label if label[:1] in ("=", "+", "-", "@") else label
    flag = SUPPRESSED_FLAG if value is None else ""
    return [month, dimension, parent, code, safe, "" if value is None else value, flag]


def to_csv(table: PublishedTable) -> bytes:
    """The table as CSV."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows_of(table))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: PublishedTable) -> bytes:
    """The table as an Excel workbook of one sheet."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.dimension)
    for row in rows_of(table):
        sheet.append([None if value == "" else value for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
