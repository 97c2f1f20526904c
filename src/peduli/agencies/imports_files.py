"""An export's file: kept sealed on disk until its import is done, and read row by row.

The upload stores the bytes encrypted (AES-256-GCM under the data keys, the storage key as
associated data) under ``PEDULI_DATA_DIR/imports``; only the worker opens them. CSV (comma
or semicolon, UTF-8 with or without BOM, else Windows-1252 as Excel writes it) and XLSX
(the first sheet, read in streaming mode) give the same rows: a header row, then tuples.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peduli.core.config import get_settings
from peduli.core.crypto import get_cipher
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _

FORMATS = ("csv", "xlsx")
_PURPOSE = "agency-import-file"
_XLSX_MAGIC = b"PK\x03\x04"


def _root() -> Path:
    return Path(get_settings().data_dir) / "imports"


def store(key: str, data: bytes) -> str:
    """Seal and write the file (atomically); returns its SHA-256, of the plain bytes."""
    path = _root() / key
    path.parent.mkdir(parents=True, exist_ok=True)
    sealed = get_cipher().encrypt_bytes(data, purpose=f"{_PURPOSE}:{key}")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(sealed)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()


def load(key: str) -> bytes:
    """The file's plain bytes (worker only)."""
    blob = (_root() / key).read_bytes()
    return get_cipher().decrypt_bytes(blob, purpose=f"{_PURPOSE}:{key}")


def delete(key: str) -> None:
    """Remove the sealed file."""
    (_root() / key).unlink(missing_ok=True)


def gone() -> FieldProblem:
    """The problem of an import whose file was removed (its real run is done)."""
    return FieldProblem(
        "file",
        "file_gone",
        _("The file is no longer kept: it was imported for real already."),
        _("Upload the export again to import it once more."),
    )


def format_of(filename: str, data: bytes) -> str:
    """``csv`` or ``xlsx``, by the bytes (an XLSX is a zip), checked against the name."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    looks_xlsx = data.startswith(_XLSX_MAGIC)
    if suffix == "xlsx" and looks_xlsx:
        return "xlsx"
    if suffix in ("csv", "txt", "") and not looks_xlsx and b"\x00" not in data[:4096]:
        return "csv"
    raise ValidationFailed(
        [
            FieldProblem(
                "file",
                "file_format",
                _("The file is neither a CSV file nor an Excel workbook (.xlsx)."),
                _("Save the export as CSV (UTF-8) or as an Excel workbook, and upload it again."),
            )
        ]
    )


@dataclass
class Sheet:
    """The header row and an iterator over the data rows (numbered from 2)."""

    header: list[Any]
    rows: Iterator[tuple[int, tuple[Any, ...]]]


def open_sheet(data: bytes, file_format: str) -> Sheet:
    """Read the header and stream the rows; an unreadable file raises ``ValidationFailed``."""
    try:
        raw = _csv_rows(data) if file_format == "csv" else _xlsx_rows(data)
        header = next(raw, None)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, csv.Error) as error:
        raise _unreadable() from error
    if header is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "file",
                    "file_empty",
                    _("The file is empty: it has no header row."),
                    _("Export the placements again with the column names on the first row."),
                )
            ]
        )
    return Sheet(header=list(header), rows=_numbered(raw))


def _numbered(raw: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    number = 1
    for cells in raw:
        number += 1
        if any(cell not in (None, "") for cell in cells):  # blank lines are no rows
            yield number, cells


def _unreadable() -> ValidationFailed:
    return ValidationFailed(
        [
            FieldProblem(
                "file",
                "file_unreadable",
                _("The file could not be read: it is damaged or not what its name says."),
                _("Open it in a spreadsheet, save it again as CSV or .xlsx, and upload it."),
            )
        ]
    )


def _text_of(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode()
    try:
        return data.decode()
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    text = _text_of(data)
    first = text[: text.find("\n")] if "\n" in text else text
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return (tuple(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    return (tuple(row) for row in sheet.iter_rows(values_only=True))
