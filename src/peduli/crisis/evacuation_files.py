"""The evacuation list as a file: CSV or an Excel workbook, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from peduli.core.i18n import _
from peduli.crisis.repository import EvacuationRow

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (
    _("Name"), _("Phone"), _("Email"), _("Country"), _("City"), _("Address"), _("Latitude"),
    _("Longitude"), _("Representation"), _("Distance (km)"), _("Answer"), _("Answered at"),
    _("Reported place"), _("Note"), _("Emergency contact"),
)  # fmt: skip


def _values(row: EvacuationRow) -> list[Any]:
    return [
        row.full_name, row.phone or "", row.email or "", row.country, row.city, row.address or "",
        row.latitude, row.longitude, row.representation_code or "",
        round(row.distance_km, 1) if row.distance_km is not None else None, row.answer or "",
        row.answered_at.isoformat(timespec="seconds") if row.answered_at else "",
        row.last_place or "", row.last_note or "", row.emergency_contact or "",
    ]  # fmt: skip


def _safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is quoted (CSV injection)."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "=@\t\r" or (value[0] in "+-" and not value[1:].replace(" ", "").isdigit()):
        return "'" + value
    return value


def to_csv(rows: Sequence[EvacuationRow]) -> bytes:
    """The list as UTF-8 CSV with a byte-order mark, so that Excel reads the names right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(h) for h in HEADERS])
    for row in rows:
        writer.writerow([_safe_cell(v) if v is not None else "" for v in _values(row)])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Sequence[EvacuationRow]) -> bytes:
    """The list as an Excel workbook of one sheet."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Evacuation")
    sheet.append([str(h) for h in HEADERS])
    for row in rows:
        sheet.append([_safe_cell(v) for v in _values(row)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
