"""Reading one row of an export: the cell readers (Hypothesis) and the row's problems."""

from __future__ import annotations

import time
import uuid
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peduli.agencies.imports_columns import PLACEMENT_COLUMNS, fold_header, layout_of
from peduli.agencies.imports_ids import new_ids
from peduli.agencies.imports_rows import (
    STAGE_COLUMNS,
    RowReader,
    parse_country,
    parse_date,
    parse_sector,
    parse_sex,
)
from peduli.core.crypto import CONTACT_PURPOSE, get_cipher
from peduli.reference.profile import get_profile
from peduli.registry.models import NIK_PURPOSE, Sector, Sex
from tests.agencies.exports import HEADERS, worker

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.fuzz
@given(DAYS, st.sampled_from(["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]))
def test_every_written_form_of_a_date_reads_as_that_date(day: date, pattern: str) -> None:
    assert parse_date(day.strftime(pattern), "date_of_birth", required=True) == (day, None)
    moment = datetime(day.year, day.month, day.day)
    assert parse_date(moment, "date_of_birth", required=True) == (day, None)


@pytest.mark.fuzz
@given(st.text(max_size=30))
def test_any_text_is_a_date_or_one_problem_naming_the_column(text: str) -> None:
    day, problem = parse_date(text, "contract_start", required=True)
    assert (day is None) != (problem is None)
    if problem is not None:
        assert problem.field == "Mulai Kontrak"
        assert problem.code in ("required", "date_invalid")
        assert problem.hint


@pytest.mark.fuzz
@given(
    st.sampled_from(["L", "Laki-laki", "laki laki", "PRIA", "m", "Male"]),
    st.sampled_from(["P", "Perempuan", "wanita", "F", "female", " p "]),
)
def test_sexes_read_in_indonesian_and_english_whatever_the_case(male: str, female: str) -> None:
    assert parse_sex(male) == Sex.MALE
    assert parse_sex(female) == Sex.FEMALE


@pytest.mark.fuzz
@given(st.text(max_size=12))
def test_a_sex_is_one_of_two_or_none(text: str) -> None:
    assert parse_sex(text) in (Sex.MALE, Sex.FEMALE, None)
    assert parse_sector(text) in (*Sector, None)


@pytest.mark.fuzz
@given(st.sampled_from(sorted({"MY", "SA", "HK", "TW", "KR", "SG", "JP", "AE", "QA"})))
def test_countries_read_by_code_alpha3_and_name(code: str) -> None:
    import pycountry

    record = pycountry.countries.get(alpha_2=code)
    assert parse_country(code.lower()) == code
    assert parse_country(record.alpha_3) == code
    assert parse_country(record.name.upper()) == code


def test_indonesian_country_and_sector_names() -> None:
    assert parse_country("Arab Saudi") == "SA"
    assert parse_country("Korea Selatan") == "KR"
    assert parse_country("Atlantis") is None
    assert parse_sector("Penata Laksana Rumah Tangga") == Sector.DOMESTIC_WORK
    assert parse_sector("ABK Perikanan") == Sector.FISHING_CREW


@pytest.mark.fuzz
@given(
    st.permutations(HEADERS), st.sampled_from([str.upper, str.lower, lambda h: h.replace(" ", "_")])
)
def test_headers_match_in_any_order_and_spelling(headers: list[str], spell: object) -> None:
    layout, problems = layout_of([spell(h) for h in headers])  # type: ignore[operator]
    assert problems == []
    assert set(layout.positions) == {column.key for column in PLACEMENT_COLUMNS}
    assert headers[layout.positions["nik"]] == "NIK"


def test_a_missing_required_column_is_named_with_the_headers_it_may_have() -> None:
    _, problems = layout_of(["NIK", "Nama", "nama lengkap"])
    codes = {(p.field, p.code) for p in problems}
    assert ("Nama Lengkap", "column_repeated") in codes
    assert ("Tanggal Lahir", "column_missing") in codes
    assert "Tgl Lahir" in next(p.hint for p in problems if p.field == "Tanggal Lahir")
    assert fold_header(" Tgl. Lahir ") == fold_header("TGL_LAHIR")


def _reader() -> RowReader:
    return RowReader(
        import_id=uuid.uuid4(), profile=get_profile(), cipher=get_cipher(), today=date(2026, 12, 6)
    )


def _read(row: dict[str, str]) -> tuple[dict[str, object], list[tuple[str, str]]]:
    layout, _ = layout_of(list(HEADERS))
    read = _reader().read(2, tuple(row.get(h, "") for h in HEADERS), layout)
    assert len(read.staged()) == len(STAGE_COLUMNS)
    return read.values, [(p.field, p.code) for p in read.problems]


def test_a_valid_row_is_sealed_and_indexed_as_the_registry_does() -> None:
    values, problems = _read(worker(5, **{"Nomor HP": "0123 000 005"}))

    assert problems == []
    cipher = get_cipher()
    nik = worker(5)["NIK"]
    assert cipher.decrypt(str(values["nik_encrypted"]), purpose=NIK_PURPOSE) == nik
    assert values["nik_index"] == cipher.blind_index(nik, purpose=NIK_PURPOSE)
    phone = cipher.decrypt(str(values["phone_encrypted"]), purpose=CONTACT_PURPOSE)
    assert phone == "+60123000005"  # a Malaysian number read locally to the placement
    assert (values["sector"], values["country"], values["representation_code"]) == (
        "domestic_work", "MY", "kbri-kuala-lumpur",
    )  # fmt: skip
    assert values["valid"] is True


def test_every_problem_of_a_row_at_once() -> None:
    row = worker(
        6,
        **{"NIK": "12345", "Jenis Kelamin": "?", "Negara Penempatan": "Indonesia",
           "Kota Penempatan": "", "Mulai Kontrak": "2025-05-01", "Akhir Kontrak": "2025-04-01"},
    )  # fmt: skip

    values, problems = _read(row)

    assert values["valid"] is False
    assert ("NIK", "nik_length") in problems
    assert ("Jenis Kelamin", "sex_invalid") in problems
    assert ("Negara Penempatan", "home_country") in problems
    assert ("Kota Penempatan", "required") in problems
    assert ("Akhir Kontrak", "contract_ends_before_start") in problems


def test_a_nik_that_disagrees_with_the_birth_date_is_refused() -> None:
    _, problems = _read(worker(7, **{"Tanggal Lahir": "15-03-1995"}))

    assert ("NIK", "nik_birth_date_mismatch") in problems


def _ids(text: str) -> list[uuid.UUID]:
    return [uuid.UUID(hex=text[i : i + 32]) for i in range(0, 128, 32)]


def test_a_row_s_new_ids_are_four_distinct_time_ordered_uuids() -> None:
    before = time.time_ns() // 1_000_000
    ids = _ids(new_ids())
    after = time.time_ns() // 1_000_000

    assert len(set(ids)) == 4
    assert {(u.version, u.variant) for u in ids} == {(7, uuid.RFC_4122)}
    assert all(before <= u.int >> 80 <= after for u in ids)  # the millisecond they were made


def test_later_rows_get_larger_ids_so_the_registry_s_keys_grow_at_one_end() -> None:
    earlier = _ids(new_ids())
    time.sleep(0.002)
    later = _ids(new_ids())

    assert all(old < new for old, new in zip(earlier, later, strict=True))
