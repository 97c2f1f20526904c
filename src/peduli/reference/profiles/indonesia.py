"""Indonesia's country profile: NIK and passport rules, provinces, names and agencies.

A NIK (Nomor Induk Kependudukan, 16 digits) reads PP RR DD ddmmyy SSSS: the province,
regency/city and district (kecamatan) codes of the issuing Dukcapil office, the birth date
as DDMMYY with 40 added to the day for women, and a serial number from 0001.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from types import MappingProxyType

from peduli.core.errors import FieldProblem
from peduli.core.i18n import _
from peduli.reference.profile import CountryProfile, Sex
from peduli.reference.profiles import indonesian_names

NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40

_NIK_SEPARATORS = re.compile(r"[\s.\-]")
_PASSPORT_SEPARATORS = re.compile(r"[\s\-]")
_PASSPORT = re.compile(r"[A-Z]{1,2}[0-9]{6,7}")
_LETTERS_THEN_DIGITS = re.compile(r"([A-Z]+)([0-9]+)")
_COPY_NIK = _("Copy the NIK again from your KTP (identity card) or KK (family card).")
_PASSPORT_FORM = _(
    "An Indonesian passport number is one or two letters followed by 6 or 7 digits, such as "
    "A1234567, B123456 or E1234567; copy it from the data page of your passport."
)
_NIK_DATE_FORM = _(
    "Digits 7–12 of a NIK are the birth date as DDMMYY, with 40 added to the day for women "
    "(a woman born on 5 March 1990 has 450390)."
)


def _load_provinces() -> Mapping[str, str]:
    table = resources.files(__package__).joinpath("id_provinces.json").read_text("utf-8")
    return MappingProxyType({row["code"]: row["name"] for row in json.loads(table)["provinces"]})


PROVINCES: Mapping[str, str] = _load_provinces()
"""The 38 provinces by Kemendagri code (the code in digits 1–2 of a NIK) → name."""


def compose_nik(
    *, province: str, regency: int, district: int, date_of_birth: date, sex: Sex, serial: int
) -> str:
    """Build the NIK that Dukcapil would issue for these parts (for demo and test data)."""
    day = date_of_birth.day + (FEMALE_DAY_OFFSET if sex == "F" else 0)
    birth = f"{day:02d}{date_of_birth.month:02d}{date_of_birth.year % 100:02d}"
    return f"{province}{regency:02d}{district:02d}{birth}{serial:04d}"


@dataclass(frozen=True, kw_only=True, eq=False)
class IndonesiaProfile(CountryProfile):
    """Indonesia: WNI citizens, the NIK, Indonesian passports and Indonesian names."""

    def normalize_national_id(self, value: str) -> str:
        """Strip spaces, dots and dashes from a NIK (``3171 0112.8800-0001``)."""
        return _NIK_SEPARATORS.sub("", value)

    def validate_national_id(
        self,
        value: str,
        *,
        date_of_birth: date | None = None,
        sex: Sex | None = None,
        field: str = "nik",
    ) -> list[FieldProblem]:
        """Check a NIK's structure, and its birth date and sex against the given ones."""
        nik = self.normalize_national_id(value)
        shape = _shape_problems(nik, field)
        if shape:
            return shape
        return [
            *_region_problems(nik, field),
            *_birth_problems(nik, date_of_birth, sex, field),
            *_serial_problems(nik, field),
        ]

    def normalize_passport(self, value: str) -> str:
        """Uppercase a passport number and strip spaces and dashes (``a 123-4567``)."""
        return _PASSPORT_SEPARATORS.sub("", value).upper()

    def validate_passport(
        self, value: str, *, field: str = "passport_number"
    ) -> list[FieldProblem]:
        """Check that a passport number has the form of an Indonesian one."""
        number = self.normalize_passport(value)
        if _PASSPORT.fullmatch(number):
            return []
        return [FieldProblem(field, "passport_format", _passport_message(number), _PASSPORT_FORM)]

    def sample_national_id(self, rng: random.Random, *, date_of_birth: date, sex: Sex) -> str:
        """Make a valid synthetic NIK for a person born on ``date_of_birth``."""
        return compose_nik(
            province=rng.choice(sorted(PROVINCES)),
            regency=rng.randint(1, 79),
            district=rng.randint(1, 40),
            date_of_birth=date_of_birth,
            sex=sex,
            serial=rng.randint(1, 9999),
        )

    def sample_passport(self, rng: random.Random) -> str:
        """Make a valid synthetic e-passport number (``E`` or ``X`` and 7 digits)."""
        return f"{rng.choice('EX')}{rng.randint(0, 9_999_999):07d}"

    def home_province_name(self, national_id: str) -> str | None:
        """Name the province that issued a NIK (a whole NIK or its first two digits)."""
        return PROVINCES.get(self.normalize_national_id(national_id)[:2])

    def name_tokens(self, full_name: str) -> list[str]:
        """Fold an Indonesian name into tokens (see ``indonesian_names`` for the rules)."""
        return indonesian_names.name_tokens(full_name)


def _problem(field: str, code: str, message: str, hint: str = _COPY_NIK) -> FieldProblem:
    return FieldProblem(field, code, message, hint)


def _shape_problems(nik: str, field: str) -> list[FieldProblem]:
    if not nik:
        return [
            _problem(
                field,
                "nik_missing",
                _("The NIK is empty."),
                _("Enter the 16-digit NIK printed on your KTP (identity card) or KK."),
            )
        ]
    if not (nik.isascii() and nik.isdigit()):
        return [
            _problem(
                field,
                "nik_not_digits",
                _("The NIK contains characters other than digits."),
                _("A NIK has only digits (spaces, dots and dashes are ignored). ") + _COPY_NIK,
            )
        ]
    if len(nik) != NIK_LENGTH:
        message = _("The NIK has {count} digits; a NIK has exactly 16 digits.")
        return [_problem(field, "nik_length", message.format(count=len(nik)))]
    return []


def _region_problems(nik: str, field: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if nik[:2] not in PROVINCES:
        message = _("Digits 1–2 of the NIK ({code}) are not the code of an Indonesian province.")
        hint = _(
            "A NIK starts with the code of the province that issued it, from 11 (Aceh) to 96 "
            "(Papua Barat Daya). "
        )
        problems.append(
            _problem(field, "nik_province", message.format(code=nik[:2]), hint + _COPY_NIK)
        )
    if nik[2:4] == "00":
        message = _("Digits 3–4 of the NIK are 00, which is not a regency or city code.")
        hint = _("Regency and city codes start at 01. ") + _COPY_NIK
        problems.append(_problem(field, "nik_regency", message, hint))
    if nik[4:6] == "00":
        message = _("Digits 5–6 of the NIK are 00, which is not a district (kecamatan) code.")
        hint = _("District codes start at 01. ") + _COPY_NIK
        problems.append(_problem(field, "nik_district", message, hint))
    return problems


def _serial_problems(nik: str, field: str) -> list[FieldProblem]:
    if nik[12:] != "0000":
        return []
    message = _("The last four digits of the NIK are 0000, a serial number never issued.")
    return [_problem(field, "nik_serial", message, _("Serial numbers start at 0001. ") + _COPY_NIK)]


def _birth_problems(
    nik: str, date_of_birth: date | None, sex: Sex | None, field: str
) -> list[FieldProblem]:
    coded_day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = coded_day > FEMALE_DAY_OFFSET
    day = coded_day - FEMALE_DAY_OFFSET if female else coded_day
    problems: list[FieldProblem] = []
    reason = _date_error(coded_day, day, month, year)
    if reason:
        message = _("Digits 7–12 of the NIK ({digits}) are not a real birth date: {reason}.")
        problems.append(
            _problem(
                field,
                "nik_birth_date",
                message.format(digits=nik[6:12], reason=reason),
                _NIK_DATE_FORM + " " + _COPY_NIK,
            )
        )
    elif date_of_birth is not None and (day, month, year) != (
        date_of_birth.day,
        date_of_birth.month,
        date_of_birth.year % 100,
    ):
        problems.append(_birth_mismatch(field, f"{day:02d}/{month:02d}/{year:02d}", date_of_birth))
    if sex is not None and _is_day_code(coded_day) and female != (sex == "F"):
        problems.append(_sex_mismatch(field, coded_day, sex))
    return problems


def _is_day_code(coded_day: int) -> bool:
    return 1 <= coded_day <= 31 or 1 <= coded_day - FEMALE_DAY_OFFSET <= 31


def _date_error(coded_day: int, day: int, month: int, year: int) -> str:
    """Say why DDMMYY is not a date, or return "" when it is one in some century."""
    if not _is_day_code(coded_day):
        return _(
            "the day {day:02d} is neither a day (01–31) nor a woman's day plus 40 (41–71)"
        ).format(day=coded_day)
    if not 1 <= month <= 12:
        return _("there is no month {month:02d}").format(month=month)
    try:
        date(2000 + year, month, day)  # 2000 is a leap year, so 29 February is allowed in 00
    except ValueError:
        return _("month {month:02d} has no day {day:02d}").format(month=month, day=day)
    return ""


def _birth_mismatch(field: str, nik_date: str, date_of_birth: date) -> FieldProblem:
    message = _(
        "Digits 7–12 of the NIK give the birth date {nik_date}, but date_of_birth is "
        "{date_of_birth}."
    ).format(nik_date=nik_date, date_of_birth=date_of_birth.isoformat())
    hint = _("Check both against your KTP or KK. ") + _NIK_DATE_FORM
    return _problem(field, "nik_birth_date_mismatch", message, hint)


def _sex_mismatch(field: str, coded_day: int, sex: Sex) -> FieldProblem:
    if sex == "F":
        message = _(
            "The day in the NIK ({day:02d}) has no 40 added, which marks a man, but sex is F."
        )
    else:
        message = _(
            "The day in the NIK ({day:02d}) has 40 added, which marks a woman, but sex is M."
        )
    hint = _(
        "For women Dukcapil adds 40 to the day of birth (born on the 12th gives 52); check "
        "the NIK and the sex against your KTP or KK."
    )
    return _problem(field, "nik_sex_mismatch", message.format(day=coded_day), hint)


def _passport_message(number: str) -> str:
    if not number:
        return _("The passport number is empty.")
    if not (number.isascii() and number.isalnum()):
        return _("The passport number contains characters other than letters and digits.")
    parts = _LETTERS_THEN_DIGITS.fullmatch(number)
    if parts is None:
        return _("The passport number is not letters followed only by digits.")
    letters, digits = parts.groups()
    if len(letters) > 2:
        return _("The passport number starts with {count} letters instead of one or two.").format(
            count=len(letters)
        )
    return _("The passport number has {count} digits after its letters instead of 6 or 7.").format(
        count=len(digits)
    )


INDONESIA = IndonesiaProfile(
    code="id",
    country="ID",
    citizen_term="WNI",
    national_id_label="NIK",
    default_language="id",
    languages=("id", "en", "zh", "fr"),
    representations_resource="representations_id.json",
    agencies={
        "civil_registry": "Dukcapil",
        "immigration": "Imigrasi",
        "migrant_workers": "BP2MI",
        "police": "Polri",
        "manpower": "Kemnaker",
    },
    home_phone_region="ID",
    currency="IDR",
    faker_locale="id_ID",
    home_timezone="Asia/Jakarta",
)
