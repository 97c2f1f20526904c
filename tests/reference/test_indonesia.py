"""Indonesia's profile: NIK structure and its messages, passports, provinces, sample data."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from peduli.reference.profile import Sex
from peduli.reference.profiles.indonesia import INDONESIA, PROVINCES, compose_nik

# A man born 12 March 1988, registered in Jakarta Pusat (31 71), district 01, serial 0001.
NIK_MAN = "3171011203880001"
NIK_WOMAN = "3171015203880002"  # the same birth date for a woman: day 12 + 40 = 52


def _codes(value: str, **kwargs: object) -> list[str]:
    return [problem.code for problem in INDONESIA.validate_national_id(value, **kwargs)]  # type: ignore[arg-type]


def _only(value: str, **kwargs: object) -> tuple[str, str, str, str]:
    (problem,) = INDONESIA.validate_national_id(value, **kwargs)  # type: ignore[arg-type]
    return problem.field, problem.code, problem.message, problem.hint


class TestNikShape:
    def test_valid_nik_of_a_man_and_of_a_woman(self) -> None:
        assert (
            INDONESIA.validate_national_id(NIK_MAN, date_of_birth=date(1988, 3, 12), sex="M") == []
        )
        assert (
            INDONESIA.validate_national_id(NIK_WOMAN, date_of_birth=date(1988, 3, 12), sex="F")
            == []
        )

    def test_without_birth_date_or_sex_only_the_structure_is_checked(self) -> None:
        assert INDONESIA.validate_national_id(NIK_WOMAN) == []

    def test_normalize_strips_spaces_dots_and_dashes(self) -> None:
        assert INDONESIA.normalize_national_id(" 3171.0112-0388 0001\t") == NIK_MAN
        assert INDONESIA.validate_national_id("3171 0112 0388 0001") == []

    def test_empty(self) -> None:
        field, code, message, hint = _only("  ")
        assert (field, code, message) == ("nik", "nik_missing", "The NIK is empty.")
        assert "16-digit NIK" in hint

    def test_fifteen_digits(self) -> None:
        assert _only(NIK_MAN[:-1]) == (
            "nik",
            "nik_length",
            "The NIK has 15 digits; a NIK has exactly 16 digits.",
            "Copy the NIK again from your KTP (identity card) or KK (family card).",
        )

    def test_seventeen_digits(self) -> None:
        assert _only(NIK_MAN + "1")[2] == "The NIK has 17 digits; a NIK has exactly 16 digits."

    @pytest.mark.parametrize(
        "value", ["317101120388000A", "3171O11203880001", "３１７１０１１２０３８８０００１"]
    )
    def test_letters_and_non_ascii_digits(self, value: str) -> None:
        _field, code, message, hint = _only(value)
        assert (code, message) == (
            "nik_not_digits",
            "The NIK contains characters other than digits.",
        )
        assert hint.startswith("A NIK has only digits")

    def test_field_name_is_the_callers(self) -> None:
        assert _only("1", field="spouse_nik")[0] == "spouse_nik"


class TestNikRegion:
    def test_unknown_province(self) -> None:
        _field, code, message, hint = _only("99" + NIK_MAN[2:])
        assert code == "nik_province"
        assert message == "Digits 1–2 of the NIK (99) are not the code of an Indonesian province."
        assert "from 11 (Aceh) to 96 (Papua Barat Daya)" in hint

    @pytest.mark.parametrize("code", ["20", "54", "97", "00", "10"])
    def test_codes_that_are_not_provinces(self, code: str) -> None:
        assert _codes(code + NIK_MAN[2:]) == ["nik_province"]

    def test_regency_00(self) -> None:
        _field, code, message, hint = _only("3100" + NIK_MAN[4:])
        assert (code, message) == (
            "nik_regency",
            "Digits 3–4 of the NIK are 00, which is not a regency or city code.",
        )
        assert hint.startswith("Regency and city codes start at 01.")

    def test_district_00(self) -> None:
        _field, code, message, _hint = _only("317100" + NIK_MAN[6:])
        assert code == "nik_district"
        assert message == "Digits 5–6 of the NIK are 00, which is not a district (kecamatan) code."

    def test_serial_0000(self) -> None:
        _field, code, message, hint = _only(NIK_MAN[:12] + "0000")
        assert (code, message) == (
            "nik_serial",
            "The last four digits of the NIK are 0000, a serial number never issued.",
        )
        assert hint.startswith("Serial numbers start at 0001.")

    def test_every_failure_is_its_own_problem(self) -> None:
        assert _codes("9900003102880000") == [
            "nik_province",
            "nik_regency",
            "nik_district",
            "nik_birth_date",
            "nik_serial",
        ]


class TestNikBirthDate:
    @pytest.mark.parametrize(
        ("birth", "reason"),
        [
            ("311388", "there is no month 13"),
            ("120088", "there is no month 00"),
            ("300288", "month 02 has no day 30"),
            ("710288", "month 02 has no day 31"),
            ("310488", "month 04 has no day 31"),
            ("350388", "the day 35 is neither a day (01–31) nor a woman's day plus 40 (41–71)"),
            ("000388", "the day 00 is neither a day (01–31) nor a woman's day plus 40 (41–71)"),
            ("720388", "the day 72 is neither a day (01–31) nor a woman's day plus 40 (41–71)"),
            ("290289", "month 02 has no day 29"),
        ],
    )
    def test_not_a_real_date(self, birth: str, reason: str) -> None:
        _field, code, message, hint = _only(f"317101{birth}0001")
        assert code == "nik_birth_date"
        assert message == f"Digits 7–12 of the NIK ({birth}) are not a real birth date: {reason}."
        assert "DDMMYY, with 40 added to the day for women" in hint

    @pytest.mark.parametrize("birth", ["290200", "290288", "690296", "010100", "311299"])
    def test_real_dates_including_leap_days(self, birth: str) -> None:
        assert _codes(f"317101{birth}0001") == []

    def test_birth_date_mismatch_names_both_dates(self) -> None:
        _field, code, message, hint = _only(NIK_MAN, date_of_birth=date(1989, 3, 12))
        assert code == "nik_birth_date_mismatch"
        assert message == (
            "Digits 7–12 of the NIK give the birth date 12/03/88, but date_of_birth is 1989-03-12."
        )
        assert hint.startswith("Check both against your KTP or KK.")

    def test_woman_mismatch_shows_the_real_day(self) -> None:
        message = _only(NIK_WOMAN, date_of_birth=date(1988, 3, 13))[2]
        assert "birth date 12/03/88" in message

    @pytest.mark.parametrize("born", [date(1988, 3, 12), date(1888, 3, 12), date(2088, 3, 12)])
    def test_two_digit_year_matches_any_century(self, born: date) -> None:
        assert _codes(NIK_MAN, date_of_birth=born) == []

    @pytest.mark.parametrize("born", [date(1988, 4, 12), date(1988, 3, 13), date(1987, 3, 12)])
    def test_day_month_or_year_differs(self, born: date) -> None:
        assert _codes(NIK_MAN, date_of_birth=born) == ["nik_birth_date_mismatch"]

    def test_no_mismatch_reported_when_the_date_is_not_real(self) -> None:
        assert _codes("3171013113880001", date_of_birth=date(1988, 3, 12)) == ["nik_birth_date"]


class TestNikSex:
    def test_woman_without_the_40(self) -> None:
        _field, code, message, hint = _only(NIK_MAN, sex="F")
        assert code == "nik_sex_mismatch"
        assert (
            message == "The day in the NIK (12) has no 40 added, which marks a man, but sex is F."
        )
        assert "adds 40 to the day of birth" in hint

    def test_man_with_the_40(self) -> None:
        _field, code, message, _hint = _only(NIK_WOMAN, sex="M")
        assert code == "nik_sex_mismatch"
        assert message == "The day in the NIK (52) has 40 added, which marks a woman, but sex is M."

    def test_sex_and_date_problems_are_separate(self) -> None:
        codes = _codes(NIK_MAN, date_of_birth=date(1990, 1, 1), sex="F")
        assert codes == ["nik_birth_date_mismatch", "nik_sex_mismatch"]

    def test_day_code_that_marks_no_sex_gives_no_sex_problem(self) -> None:
        assert _codes("3171013503880001", sex="F") == ["nik_birth_date"]


VALID_NIK_PARTS = st.fixed_dictionaries(
    {
        "province": st.sampled_from(sorted(PROVINCES)),
        "regency": st.integers(1, 99),
        "district": st.integers(1, 99),
        "date_of_birth": st.dates(date(1900, 1, 1), date(2099, 12, 31)),
        "sex": st.sampled_from(["M", "F"]),
        "serial": st.integers(1, 9999),
    }
)


def _is_real_birth(ddmmyy: str) -> bool:
    """An oracle written apart from the code under test: is DDMMYY a date in 19xx or 20xx?"""
    coded_day, month, year = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    day = coded_day - 40 if coded_day > 40 else coded_day
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


class TestNikProperties:
    @given(VALID_NIK_PARTS)
    def test_any_well_formed_nik_validates_and_round_trips(self, parts: dict) -> None:
        nik = compose_nik(**parts)
        assert len(nik) == 16
        assert (
            INDONESIA.validate_national_id(
                nik, date_of_birth=parts["date_of_birth"], sex=parts["sex"]
            )
            == []
        )
        assert INDONESIA.normalize_national_id(nik) == nik
        spaced = f"{nik[:6]} {nik[6:12]}.{nik[12:]}-"
        assert INDONESIA.normalize_national_id(spaced) == nik
        assert INDONESIA.home_province_name(nik) == PROVINCES[parts["province"]]

    @given(
        st.sampled_from([f"{n:02d}" for n in range(100) if f"{n:02d}" not in PROVINCES]),
        st.from_regex(r"\A[0-9]{14}\Z"),
    )
    def test_any_nik_with_an_unknown_province_fails(self, province: str, rest: str) -> None:
        assert "nik_province" in _codes(province + rest)

    @given(
        VALID_NIK_PARTS,
        st.integers(6, 11),
        st.sampled_from("0123456789"),
    )
    def test_a_changed_birth_date_digit_is_always_caught(
        self, parts: dict, position: int, digit: str
    ) -> None:
        nik = compose_nik(**parts)
        assume(nik[position] != digit)
        changed = nik[:position] + digit + nik[position + 1 :]
        codes = _codes(changed, date_of_birth=parts["date_of_birth"], sex=parts["sex"])
        if not _is_real_birth(changed[6:12]):
            assert "nik_birth_date" in codes
        else:
            # Still a date: but no longer this person's date, or no longer their sex.
            assert {"nik_birth_date_mismatch", "nik_sex_mismatch"} & set(codes)

    @given(st.from_regex(r"\A[0-9]{6}\Z"))
    def test_date_check_agrees_with_an_independent_oracle(self, birth: str) -> None:
        codes = _codes(f"317101{birth}0001")
        assert ("nik_birth_date" not in codes) == _is_real_birth(birth)


class TestProvinces:
    def test_thirty_eight_provinces(self) -> None:
        assert len(PROVINCES) == 38

    def test_kemendagri_codes_for_the_papua_provinces(self) -> None:
        assert {code: PROVINCES[code] for code in ("91", "92", "93", "94", "95", "96")} == {
            "91": "Papua",
            "92": "Papua Barat",
            "93": "Papua Selatan",
            "94": "Papua Tengah",
            "95": "Papua Pegunungan",
            "96": "Papua Barat Daya",
        }

    @pytest.mark.parametrize(
        ("code", "name"),
        [
            ("11", "Aceh"),
            ("21", "Kepulauan Riau"),
            ("31", "DKI Jakarta"),
            ("65", "Kalimantan Utara"),
        ],
    )
    def test_known_codes(self, code: str, name: str) -> None:
        assert PROVINCES[code] == name

    def test_home_province_of_a_nik_or_a_code(self) -> None:
        assert INDONESIA.home_province_name("3171 0112 0388 0001") == "DKI Jakarta"
        assert INDONESIA.home_province_name("96") == "Papua Barat Daya"
        assert INDONESIA.home_province_name("99") is None
        assert INDONESIA.home_province_name("") is None


class TestPassport:
    @pytest.mark.parametrize("value", ["A1234567", "B123456", "X1234567", "E1234567", "AB123456"])
    def test_valid(self, value: str) -> None:
        assert INDONESIA.validate_passport(value) == []

    def test_normalize_uppercases_and_strips_spaces(self) -> None:
        assert INDONESIA.normalize_passport(" a 123-4567 ") == "A1234567"
        assert INDONESIA.validate_passport(" e 1234567") == []

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("", "The passport number is empty."),
            ("A12345", "The passport number has 5 digits after its letters instead of 6 or 7."),
            ("A12345678", "The passport number has 8 digits after its letters instead of 6 or 7."),
            ("ABC123456", "The passport number starts with 3 letters instead of one or two."),
            ("12345678", "The passport number is not letters followed only by digits."),
            ("A123456B", "The passport number is not letters followed only by digits."),
            ("A1234/67", "The passport number contains characters other than letters and digits."),
            ("Ä1234567", "The passport number contains characters other than letters and digits."),
        ],
    )
    def test_invalid_with_message_and_the_expected_form(self, value: str, message: str) -> None:
        (problem,) = INDONESIA.validate_passport(value, field="passport")
        assert (problem.field, problem.code, problem.message) == (
            "passport",
            "passport_format",
            message,
        )
        assert problem.hint.startswith(
            "An Indonesian passport number is one or two letters followed by 6 or 7 digits"
        )


class TestSamples:
    @given(
        st.integers(0, 2**32),
        st.dates(date(1930, 1, 1), date(2025, 12, 31)),
        st.sampled_from(["M", "F"]),
    )
    def test_sample_nik_is_valid_for_its_person(self, seed: int, born: date, sex: Sex) -> None:
        nik = INDONESIA.sample_national_id(random.Random(seed), date_of_birth=born, sex=sex)
        assert INDONESIA.validate_national_id(nik, date_of_birth=born, sex=sex) == []

    @given(st.integers(0, 2**32))
    def test_sample_passport_is_valid(self, seed: int) -> None:
        assert INDONESIA.validate_passport(INDONESIA.sample_passport(random.Random(seed))) == []
