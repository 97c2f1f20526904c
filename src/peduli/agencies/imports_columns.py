"""The column set of an agency export: each field, whether it is required, and the header
names an agency writes for it (Indonesian first, English accepted).

Headers are matched folded (case, spaces, dots, dashes and underscores ignored), so
"Tgl. Lahir", "TGL_LAHIR" and "tgl lahir" are one header. ``docs/agency-imports.md`` lists
the same set for the agencies that send the files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from peduli.core.errors import FieldProblem
from peduli.core.i18n import _
from peduli.registry.linkage.keys import LINK_COLUMNS


@dataclass(frozen=True)
class Column:
    """One field of the export; ``headers`` are the names it may have in the file."""

    key: str
    required: bool
    headers: tuple[str, ...]

    @property
    def label(self) -> str:
        """The name the clerk's report uses for the column: the agency's usual header."""
        return self.headers[0]


# A BP2MI placement export (SISKOP2MI), one row per placement of a migrant worker.
PLACEMENT_COLUMNS: tuple[Column, ...] = (
    Column("nik", True, ("NIK", "Nomor Induk Kependudukan", "No KTP", "National ID")),
    Column("full_name", True, ("Nama Lengkap", "Nama", "Nama PMI", "Full name", "Name")),
    Column("sex", True, ("Jenis Kelamin", "JK", "Sex", "Gender")),
    Column("date_of_birth", True, ("Tanggal Lahir", "Tgl Lahir", "Date of birth", "Birth date")),
    Column("place_of_birth", False, ("Tempat Lahir", "Place of birth", "Birth place")),
    Column("passport", False, ("Nomor Paspor", "No Paspor", "Paspor", "Passport number")),
    Column("phone", False, ("Nomor HP", "No HP", "No Telepon", "Telepon", "Phone")),
    Column("country", True, ("Negara Penempatan", "Negara Tujuan", "Negara", "Country")),
    Column("city", True, ("Kota Penempatan", "Kota", "City")),
    Column("employer", False, ("Pemberi Kerja", "Nama Majikan", "Majikan", "Employer")),
    Column(
        "placement_agency",
        False,
        ("P3MI", "Perusahaan Penempatan", "PPTKIS", "Placement agency"),
    ),
    Column("sector", True, ("Sektor", "Jabatan", "Sector")),
    Column("contract_start", True, ("Mulai Kontrak", "Tanggal Mulai Kontrak", "Contract start")),
    Column("contract_end", False, ("Akhir Kontrak", "Tanggal Akhir Kontrak", "Contract end")),
)
BY_KEY = {column.key: column for column in PLACEMENT_COLUMNS}
HEADER_ROW = 1  # rows are numbered as the spreadsheet shows them: data starts on row 2

_FOLD = re.compile(r"[\s._\-/]+")


def fold_header(header: object) -> str:
    """A header as matched: lower case, without spaces, dots, dashes or underscores."""
    return _FOLD.sub("", str(header or "")).casefold()


_KNOWN = {fold_header(name): column.key for column in PLACEMENT_COLUMNS for name in column.headers}


@dataclass(frozen=True)
class Layout:
    """Where each known column is in the file (position by key); unknown headers ignored."""

    positions: dict[str, int]


def layout_of(headers: list[object]) -> tuple[Layout, list[FieldProblem]]:
    """Match a header row to the column set; a problem per missing or repeated column."""
    positions: dict[str, int] = {}
    problems: list[FieldProblem] = []
    for position, header in enumerate(headers):
        key = _KNOWN.get(fold_header(header))
        if key is None:
            continue
        if key in positions:
            problems.append(
                FieldProblem(
                    BY_KEY[key].label,
                    "column_repeated",
                    _("The column '{column}' appears twice in the header row.").format(
                        column=str(header)
                    ),
                    _("Keep one column for each field and delete the other."),
                )
            )
            continue
        positions[key] = position
    for column in PLACEMENT_COLUMNS:
        if column.required and column.key not in positions:
            problems.append(
                FieldProblem(
                    column.label,
                    "column_missing",
                    _("The header row has no column '{column}'.").format(column=column.label),
                    _("Add the column with one of these headers: {headers}.").format(
                        headers=", ".join(column.headers)
                    ),
                )
            )
    return Layout(positions), problems


# The staging table's columns, in the order a staged row gives them (COPY's text, SQLite's rows).
STAGE_COLUMNS = (
    "import_id", "row_number", "valid", "action", "person_id", "new_person_id", "new_stay_id",
    "new_passport_id", "new_contact_id", "full_name", "name_key", "sex", "date_of_birth",
    "place_of_birth", "home_province", "nik_encrypted", "nik_index", "passport_encrypted",
    "passport_index", "phone_encrypted", "phone_index", "country", "city",
    "representation_code", "sector", "employer", "placement_agency", "contract_start",
    "contract_end", *LINK_COLUMNS,  # a new person's blocking keys, made as the row is read
)  # fmt: skip
