"""Every chart's table, and the same table as a CSV or Excel download."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

from peduli.core.i18n import _, in_language
from peduli.stats import labels, repository
from peduli.stats.repository import Breakdown

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
COUNT = _("Citizens")
YEAR_EARLIER = _("A year earlier")
CODE = _("Code (machine-readable)")
DAY = _("Day")


@dataclass(frozen=True)
class Table:
    """A chart's figures: column headings and rows of (code, name, values…)."""

    name: str
    headers: list[str]
    rows: list[list[Any]]


def breakdown_table(breakdown: Breakdown, language: str) -> Table:
    """Citizens by one dimension, each with its figure a year earlier."""
    earlier = breakdown.year_earlier
    keys = repository.ordered(breakdown.counts, breakdown.by, earlier or {})
    rows: list[list[Any]] = [
        [
            key,
            labels.label(breakdown.by, key, language),
            breakdown.counts.get(key, 0),
            None if earlier is None else earlier.get(key, 0),
        ]
        for key in keys
    ]
    headers = [
        in_language(CODE, language),
        labels.dimension_name(breakdown.by, language),
        in_language(COUNT, language),
        in_language(YEAR_EARLIER, language),
    ]
    return Table(breakdown.by, headers, rows)


def flows_table(series: dict[str, list[tuple[Any, int]]], language: str) -> Table:
    """Arrivals, departures and self-reports of each day."""
    kinds = list(series)
    days = [day for day, _n in series[kinds[0]]] if kinds else []
    rows: list[list[Any]] = [
        [day.isoformat(), *(series[kind][index][1] for kind in kinds)]
        for index, day in enumerate(days)
    ]
    headers = [in_language(DAY, language), *(labels.flow_name(kind, language) for kind in kinds)]
    return Table("flows", headers, rows)


def to_csv(table: Table) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark (so spreadsheets read the names right).

    Every cell is a code, a name from the reference data or a number: nothing a reader
    typed, so nothing a spreadsheet could run as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    writer.writerows(_cells(table.rows))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    """The table as an Excel workbook of one sheet."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.name[:31])
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cells(rows: Sequence[list[Any]]) -> list[list[Any]]:
    return [["" if value is None else value for value in row] for row in rows]
