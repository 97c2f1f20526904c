"""The export's file: sealed at rest, and read alike from CSV (comma or semicolon, UTF-8 or
Windows-1252) and XLSX."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from peduli.agencies import imports_files
from peduli.core.errors import ValidationFailed
from tests.agencies.exports import csv_bytes, worker, xlsx_bytes

pytestmark = pytest.mark.usefixtures("data_dir")


def test_the_stored_file_is_sealed_and_opens_again(data_dir: Path) -> None:
    data = csv_bytes([worker(1)])

    imports_files.store("one.csv", data)

    on_disk = (data_dir / "imports" / "one.csv").read_bytes()
    assert worker(1)["NIK"].encode() not in on_disk
    assert imports_files.load("one.csv") == data


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_and_xlsx_give_the_same_rows(delimiter: str) -> None:
    rows = [worker(1), worker(2)]
    from_csv = imports_files.open_sheet(csv_bytes(rows, delimiter=delimiter), "csv")
    from_xlsx = imports_files.open_sheet(xlsx_bytes(rows), "xlsx")

    assert from_csv.header == from_xlsx.header
    assert [n for n, _ in from_csv.rows] == [n for n, _ in from_xlsx.rows] == [2, 3]


def test_spreadsheet_dates_and_blank_lines() -> None:
    rows = [worker(1, **{"Tanggal Lahir": datetime(1995, 3, 14)}), {}, worker(3)]  # type: ignore[dict-item]
    sheet = imports_files.open_sheet(xlsx_bytes(rows), "xlsx")

    read = list(sheet.rows)

    assert [n for n, _ in read] == [2, 4]  # the blank line 3 is no row; numbers stay
    assert read[0][1][3] == datetime(1995, 3, 14)
    assert date(1995, 3, 14) == read[0][1][3].date()


def test_windows_1252_csv_is_read() -> None:
    data = "NIK;Nama Lengkap\n3171011705900001;Désiré\n".encode("cp1252")

    sheet = imports_files.open_sheet(data, "csv")

    assert next(iter(sheet.rows))[1][1] == "Désiré"


def test_the_format_is_decided_by_the_bytes() -> None:
    assert imports_files.format_of("x.xlsx", xlsx_bytes([])) == "xlsx"
    assert imports_files.format_of("x.csv", b"NIK\n") == "csv"
    for name, data in (("x.csv", xlsx_bytes([])), ("x.xlsx", b"NIK\n"), ("x.pdf", b"%PDF")):
        with pytest.raises(ValidationFailed):
            imports_files.format_of(name, data)


def test_a_damaged_workbook_is_a_problem_not_a_crash() -> None:
    with pytest.raises(ValidationFailed) as refused:
        imports_files.open_sheet(b"PK\x03\x04" + bytes(100), "xlsx")

    assert refused.value.problems[0].code == "file_unreadable"
