"""One row of an agency export: its cells read, checked and sealed for the staging table.

Checks that need only the row are made here, while the row is read (the file has to be
read and its identifiers sealed anyway); checks that need other rows or the registry (a
NIK twice in the file, a NIK and a passport of two different people) are statements over
the staging table (``imports_checks``). Every problem names the column, says what is wrong
and how to fix it, in English message ids that the report translates for the reader.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from peduli.agencies.imports_columns import BY_KEY, STAGE_COLUMNS, Layout
from peduli.agencies.imports_ids import new_ids
from peduli.agencies.models import RowAction
from peduli.core.crypto import CONTACT_PURPOSE, FieldCipher
from peduli.core.errors import FieldProblem
from peduli.core.i18n import _
from peduli.core.names import name_problems
from peduli.reference import countries
from peduli.reference.profile import CountryProfile
from peduli.registry import report_records
from peduli.registry.linkage.keys import link_keys
from peduli.registry.models import NIK_PURPOSE, PASSPORT_PURPOSE, Sector, Sex, Stay

MAX_CONTRACT_AHEAD = timedelta(days=366)
OLDEST_BIRTH = date(1900, 1, 1)
_ISO_DATE = re.compile(r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})")
_DAY_FIRST = re.compile(r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})")
_SEXES = {
    "l": Sex.MALE, "lk": Sex.MALE, "lakilaki": Sex.MALE, "laki": Sex.MALE, "pria": Sex.MALE,
    "m": Sex.MALE, "male": Sex.MALE,
    "p": Sex.FEMALE, "pr": Sex.FEMALE, "perempuan": Sex.FEMALE, "wanita": Sex.FEMALE,
    "w": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE,
}  # fmt: skip
# BP2MI's sector names (jabatan) as agencies write them, folded; the registry's own values too.
_SECTORS = {
    "plrt": Sector.DOMESTIC_WORK, "penatalaksanarumahtangga": Sector.DOMESTIC_WORK,
    "pembanturumahtangga": Sector.DOMESTIC_WORK, "prt": Sector.DOMESTIC_WORK,
    "domestic": Sector.DOMESTIC_WORK, "domesticworker": Sector.DOMESTIC_WORK,
    "perawat": Sector.CAREGIVING, "caregiver": Sector.CAREGIVING,
    "perawatlansia": Sector.CAREGIVING,
    "perkebunan": Sector.PLANTATION, "manufaktur": Sector.MANUFACTURING,
    "pabrik": Sector.MANUFACTURING, "operatorproduksi": Sector.MANUFACTURING,
    "konstruksi": Sector.CONSTRUCTION, "abk": Sector.FISHING_CREW,
    "abkperikanan": Sector.FISHING_CREW, "perikanan": Sector.FISHING_CREW,
    "perhotelan": Sector.HOSPITALITY, "hotel": Sector.HOSPITALITY,
    "pertanian": Sector.AGRICULTURE, "kesehatan": Sector.HEALTHCARE,
    "tenagakesehatan": Sector.HEALTHCARE, "profesional": Sector.OFFICE_PROFESSIONAL,
    "lainnya": Sector.OTHER, "lainlain": Sector.OTHER,
    **{s.value.replace("_", ""): s for s in Sector},
}  # fmt: skip


def _fold(value: str) -> str:
    return "".join(ch for ch in value.casefold() if ch.isalnum())


@dataclass
class ReadRow:
    """A row as read: its values for the staging table and its problems (empty: valid)."""

    values: dict[str, Any]
    problems: list[FieldProblem] = field(default_factory=list)

    def staged(self) -> tuple[Any, ...]:
        """The values in ``STAGE_COLUMNS`` order."""
        values = self.values
        return tuple(values.get(name) for name in STAGE_COLUMNS)


class RowReader:
    """Reads the rows of one import; the posts are resolved once per (country, city)."""

    def __init__(
        self, *, import_id: uuid.UUID, profile: CountryProfile, cipher: FieldCipher, today: date
    ) -> None:
        self.import_id = import_id
        self.profile = profile
        self.cipher = cipher
        self.today = today
        self._posts: dict[tuple[str, str], str | None] = {}

    def read(self, row_number: int, cells: tuple[Any, ...], layout: Layout) -> ReadRow:
        """Check and seal one row; every problem of the row at once."""
        raw = {key: _cell(cells, position) for key, position in layout.positions.items()}
        ids = new_ids()
        row = ReadRow(
            values={
                "import_id": self.import_id,
                "row_number": row_number,
                "new_person_id": ids[:32],
                "new_stay_id": ids[32:64],
                "new_passport_id": ids[64:96],
                "new_contact_id": ids[96:],
            }
        )
        name_key = self._person(raw, row)
        self._placement(raw, row)  # first: the country reads a local phone number
        nik = self._identifiers(raw, row)
        # Staged as a new person's row (or refused): the checks rewrite only the rows they
        # decide otherwise, so a file of new people is written to the staging table once.
        valid = not row.problems
        if valid:
            v = row.values
            keys = link_keys(
                v["full_name"], v["date_of_birth"], nik, v["sex"], v["place_of_birth"],
                name_key=name_key,
            )  # fmt: skip
            v.update(keys.columns())
        row.values["valid"] = valid
        row.values["action"] = RowAction.CREATE.value if valid else RowAction.REFUSE.value
        row.values["person_id"] = row.values["new_person_id"] if valid else None
        return row

    def _person(self, raw: dict[str, Any], row: ReadRow) -> str | None:
        """Read name, sex, birth date and place; the name's key, uncut (folded once)."""
        name, name_key = _text(raw.get("full_name")), None
        if not name:
            row.problems.append(_missing("full_name"))
        elif len(name) > 200:
            row.problems.append(_too_long("full_name", 200))
        else:
            row.problems += _relabel(name_problems(name, field="full_name"), "full_name")
            row.values["full_name"] = name
            name_key = self.profile.name_key(name)
            row.values["name_key"] = name_key[: report_records.NAME_KEY_LENGTH]
        sex = parse_sex(raw.get("sex"))
        if sex is None:
            row.problems.append(_invalid_sex(raw.get("sex")))
        row.values["sex"] = sex.value if sex else None
        born, problem = parse_date(raw.get("date_of_birth"), "date_of_birth", required=True)
        if problem is None and born is not None and not OLDEST_BIRTH <= born <= self.today:
            problem = _problem(
                "date_of_birth",
                "birth_out_of_range",
                _("The birth date {value} is in the future or before 1900.").format(
                    value=born.isoformat()
                ),
                _("Check the day, month and year of the birth date."),
            )
        if problem:
            row.problems.append(problem)
        row.values["date_of_birth"] = born
        place = _text(raw.get("place_of_birth"))
        if len(place) > 120:
            row.problems.append(_too_long("place_of_birth", 120))
        row.values["place_of_birth"] = place or None
        return name_key

    def _identifiers(self, raw: dict[str, Any], row: ReadRow) -> str | None:
        """Seal the NIK, passport and phone; returns the NIK as read, which only the
        blocking keys use in the clear (a valid row's NIK is valid)."""
        profile, cipher = self.profile, self.cipher
        nik = profile.normalize_national_id(_text(raw.get("nik")))
        if not nik:
            row.problems.append(_missing("nik"))
        else:
            sex = row.values.get("sex")
            nik_problems = profile.validate_national_id(
                nik,
                date_of_birth=row.values.get("date_of_birth"),
                sex=Sex.FEMALE.value if sex == Sex.FEMALE else Sex.MALE.value if sex else None,
                field="nik",
            )
            row.problems += _relabel(nik_problems, "nik")
            if not nik_problems:
                row.values["nik_encrypted"] = cipher.encrypt(nik, purpose=NIK_PURPOSE)
                row.values["nik_index"] = cipher.blind_index(nik, purpose=NIK_PURPOSE)
                row.values["home_province"] = nik[:2]
        passport = profile.normalize_passport(_text(raw.get("passport")))
        if passport:
            passport_problems = profile.validate_passport(passport, field="passport")
            row.problems += _relabel(passport_problems, "passport")
            if not passport_problems:
                row.values["passport_encrypted"] = cipher.encrypt(
                    passport, purpose=PASSPORT_PURPOSE
                )
                row.values["passport_index"] = cipher.blind_index(
                    passport, purpose=PASSPORT_PURPOSE
                )
        phone_text = _text(raw.get("phone"))
        if phone_text:
            phone, problems = profile.normalize_phone(
                phone_text, default_region=row.values.get("country"), field="phone"
            )
            row.problems += _relabel(problems, "phone")
            if phone:
                row.values["phone_encrypted"] = cipher.encrypt(phone, purpose=CONTACT_PURPOSE)
                row.values["phone_index"] = cipher.blind_index(phone, purpose=CONTACT_PURPOSE)
        return nik or None

    def _placement(self, raw: dict[str, Any], row: ReadRow) -> None:
        country = parse_country(raw.get("country"))
        if country is None:
            row.problems.append(_unknown_country(raw.get("country")))
        elif country == "ID":
            row.problems.append(
                _problem(
                    "country",
                    "home_country",
                    _("A placement abroad cannot be in Indonesia."),
                    _("Give the country where the worker is placed."),
                )
            )
            country = None
        city = _text(raw.get("city"))
        if not city:
            row.problems.append(_missing("city"))
        elif len(city) > 120:
            row.problems.append(_too_long("city", 120))
            city = ""
        row.values["country"], row.values["city"] = country, city or None
        if country and city:
            row.values["representation_code"] = self._post(country, city)
        sector = parse_sector(raw.get("sector"))
        if sector is None:
            row.problems.append(_unknown_sector(raw.get("sector")))
        row.values["sector"] = sector.value if sector else None
        for key, limit in (("employer", 200), ("placement_agency", 200)):
            value = _text(raw.get(key))
            if len(value) > limit:
                row.problems.append(_too_long(key, limit))
                value = ""
            row.values[key] = value or None
        self._contract(raw, row)

    def _contract(self, raw: dict[str, Any], row: ReadRow) -> None:
        start, problem = parse_date(raw.get("contract_start"), "contract_start", required=True)
        if problem is None and start is not None and start > self.today + MAX_CONTRACT_AHEAD:
            problem = _problem(
                "contract_start",
                "contract_too_far_ahead",
                _("The contract starts more than a year from now ({value}).").format(
                    value=start.isoformat()
                ),
                _("Check the year of the contract start."),
            )
        end, end_problem = parse_date(raw.get("contract_end"), "contract_end", required=False)
        if end_problem is None and start and end and end < start:
            end_problem = _problem(
                "contract_end",
                "contract_ends_before_start",
                _("The contract ends ({end}) before it starts ({start}).").format(
                    end=end.isoformat(), start=start.isoformat()
                ),
                _("Check both contract dates; the end comes after the start."),
            )
        row.problems += [p for p in (problem, end_problem) if p]
        row.values["contract_start"], row.values["contract_end"] = start, end

    def _post(self, country: str, city: str) -> str | None:
        key = (country, city.casefold())
        if key not in self._posts:
            place = Stay(
                country=country, subdivision=None, city=city, latitude=None, longitude=None
            )
            post = report_records.resolve_representation(place)
            self._posts[key] = post.code if post else None
        return self._posts[key]


# --- the cell readers (tested with Hypothesis) ---------------------------------------------


def _cell(cells: tuple[Any, ...], position: int) -> Any:
    return cells[position] if position < len(cells) else None


def _text(value: Any) -> str:
    """A cell as trimmed text; numbers that a spreadsheet stored as such lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def parse_sex(value: Any) -> Sex | None:
    """L/P (laki-laki, perempuan), M/F and the words in Indonesian and English; else None."""
    return _SEXES.get(_fold(_text(value)))


def parse_sector(value: Any) -> Sector | None:
    """A sector as BP2MI or the registry names it; None when unknown or empty."""
    return _SECTORS.get(_fold(_text(value)))


@cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in ("en", "id"):
        for code, name in countries.country_names(language).items():
            names[_fold(name)] = code
    for country in countries.all_countries():
        names[_fold(country.name)] = country.code
        names[_fold(country.name_id)] = country.code
    import pycountry

    for record in pycountry.countries:
        names[_fold(record.alpha_3)] = record.alpha_2
    names.update({"korsel": "KR", "koreaselatan": "KR", "hongkong": "HK", "arabsaudi": "SA"})
    return names


def parse_country(value: Any) -> str | None:
    """An ISO alpha-2 or alpha-3 code, or a country's name in Indonesian or English."""
    text = _text(value)
    if len(text) == 2 and countries.is_country(text.upper()):
        return text.upper()
    return _country_names().get(_fold(text)) if text else None


def parse_date(value: Any, key: str, *, required: bool) -> tuple[date | None, FieldProblem | None]:
    """A date cell: a spreadsheet date, or text as YYYY-MM-DD or DD-MM-YYYY (/ or . too)."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    text = _text(value)
    if not text:
        return None, (_missing(key) if required else None)
    # A regular expression, not strptime: a million rows have three dates each.
    found = _ISO_DATE.fullmatch(text) or _DAY_FIRST.fullmatch(text)
    if found is not None:
        parts = found.groupdict()
        try:
            return date(int(parts["y"]), int(parts["m"]), int(parts["d"])), None
        except ValueError:
            pass
    return None, _problem(
        key,
        "date_invalid",
        _("'{value}' is not a date.").format(value=text[:40]),
        _("Write the date as YYYY-MM-DD (2024-03-01) or DD-MM-YYYY (01-03-2024)."),
    )


# --- the problems ---------------------------------------------------------------------------


def _problem(key: str, code: str, message: str, hint: str) -> FieldProblem:
    return FieldProblem(BY_KEY[key].label, code, message, hint)


def _relabel(problems: list[FieldProblem], key: str) -> list[FieldProblem]:
    """The profile's problems (named for the self-report's fields) named for the column."""
    label = BY_KEY[key].label
    return [FieldProblem(label, p.code, p.message, p.hint) for p in problems]


def _missing(key: str) -> FieldProblem:
    return _problem(
        key,
        "required",
        _("The column '{column}' is empty in this row.").format(column=BY_KEY[key].label),
        _("Fill it in from the worker's documents."),
    )


def _too_long(key: str, limit: int) -> FieldProblem:
    return _problem(
        key,
        "too_long",
        _("The value is longer than {limit} characters.").format(limit=limit),
        _("Shorten it to what the documents say."),
    )


def _invalid_sex(value: Any) -> FieldProblem:
    return _problem(
        "sex",
        "sex_invalid",
        _("'{value}' is not a sex the import knows.").format(value=_text(value)[:20]),
        _("Write L (laki-laki) or P (perempuan), or M or F."),
    )


def _unknown_country(value: Any) -> FieldProblem:
    return _problem(
        "country",
        "country_unknown",
        _("'{value}' is not a country the import knows.").format(value=_text(value)[:60]),
        _("Write the country's ISO code (MY, SA, HK) or its name, e.g. Malaysia."),
    )


def _unknown_sector(value: Any) -> FieldProblem:
    return _problem(
        "sector",
        "sector_unknown",
        _("'{value}' is not a sector the import knows.").format(value=_text(value)[:60]),
        _("Use one of BP2MI's sectors, e.g. PLRT, Perawat, Manufaktur, Konstruksi, ABK."),
    )
