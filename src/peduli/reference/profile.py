"""The country profile: everything that belongs to one country rather than to Peduli.

The registry, cases and services never name a country. They ask the active profile for the
national-ID and passport rules, how names fold for duplicate detection, which agencies exist,
the default language and the representations data file. A ministry of another country runs
Peduli by adding a module under ``peduli.reference.profiles`` and setting ``PEDULI_PROFILE``.
"""

from __future__ import annotations

import random
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Literal

import phonenumbers

from peduli.core.config import get_settings
from peduli.core.errors import FieldProblem
from peduli.core.i18n import _
from peduli.reference import countries

Sex = Literal["M", "F"]


class UnknownProfileError(LookupError):
    """The configured country profile does not exist."""


@dataclass(frozen=True, kw_only=True, eq=False)
class CountryProfile(ABC):
    """One country's rules and reference facts; subclasses add the national-ID rules."""

    code: str  # profile code, e.g. "id"
    country: str  # ISO 3166-1 alpha-2 of the home country, e.g. "ID"
    citizen_term: str  # what citizens are called, e.g. "WNI"
    national_id_label: str  # e.g. "NIK"
    default_language: str
    languages: tuple[str, ...]
    representations_resource: str  # file name inside ``peduli.reference.data``
    agencies: Mapping[str, str]  # agency role code -> the agency's name
    home_phone_region: str  # region tried for phone numbers without a country code
    currency: str  # ISO 4217
    faker_locale: str  # Faker locale for synthetic demo people
    # Headquarters' IANA time zone: the HQ duty desk's roster is kept in it.
    home_timezone: str = "UTC"

    def __post_init__(self) -> None:
        object.__setattr__(self, "agencies", MappingProxyType(dict(self.agencies)))

    @abstractmethod
    def normalize_national_id(self, value: str) -> str:
        """Return the national ID as stored: separators removed, nothing else changed."""

    @abstractmethod
    def validate_national_id(
        self,
        value: str,
        *,
        date_of_birth: date | None = None,
        sex: Sex | None = None,
        field: str = "nik",
    ) -> list[FieldProblem]:
        """Return one problem per broken rule of the national ID (empty when valid)."""

    @abstractmethod
    def normalize_passport(self, value: str) -> str:
        """Return the passport number as stored."""

    @abstractmethod
    def validate_passport(
        self, value: str, *, field: str = "passport_number"
    ) -> list[FieldProblem]:
        """Return the problems of a passport number (empty when valid)."""

    @abstractmethod
    def sample_national_id(self, rng: random.Random, *, date_of_birth: date, sex: Sex) -> str:
        """Make a synthetic national ID that passes validation, for demo and test data."""

    @abstractmethod
    def sample_passport(self, rng: random.Random) -> str:
        """Make a synthetic passport number that passes validation."""

    def home_province_name(self, national_id: str) -> str | None:
        """Name the home province a national ID encodes; None when it encodes none."""
        return None

    def name_tokens(self, full_name: str) -> list[str]:
        """Split a name into folded tokens: accents removed, lowercase, punctuation dropped."""
        return [token for token in _NON_WORD.split(fold_text(full_name)) if token]

    def name_key(self, full_name: str) -> str:
        """Return the key two spellings of one person's name share (for duplicate search)."""
        return " ".join(self.name_tokens(full_name))

    def normalize_phone(
        self, value: str, *, default_region: str | None, field: str = "phone"
    ) -> tuple[str | None, list[FieldProblem]]:
        """Return the number in E.164, read as international, local to ``default_region``
        (the stay country) or local to the home country; blank gives ``(None, [])``.

        A local reading that needs a carrier-selection prefix loses to a plain one, so a
        citizen in Korea who types the Indonesian mobile 0812-3456-7890 gets +62 812…,
        not the Seoul number that Korean carrier code 081 would make of it.
        """
        text = value.strip()
        if not text:
            return None, []
        regions = self._phone_regions(default_region)
        # A number written with its country code reads the same in every region: parse once.
        candidates = regions[:1] if text.startswith("+") else regions
        readings = [number for number in (_parse_phone(text, r) for r in candidates) if number]
        if readings:
            plain = [number for number in readings if not number.preferred_domestic_carrier_code]
            best = (plain or readings)[0]
            return phonenumbers.format_number(best, phonenumbers.PhoneNumberFormat.E164), []
        names = [countries.named_country(region) for region in regions]
        if len(names) == 1:
            message = _(
                "The phone number is not a valid number, neither with its country code nor as a "
                "local number of {country}."
            ).format(country=names[0])
        else:
            message = _(
                "The phone number is not a valid number, neither with its country code nor as a "
                "local number of {country} or {home}."
            ).format(country=names[0], home=names[1])
        hint = _("Write the number with its country code, for example {example}.").format(
            example=_example_phone(regions)
        )
        return None, [FieldProblem(field, "phone_invalid", message, hint)]

    def _phone_regions(self, default_region: str | None) -> list[str]:
        regions = [default_region.upper()] if default_region else []
        return list(dict.fromkeys([*regions, self.home_phone_region]))


_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc]")
_NON_WORD = re.compile(r"[\W_]+")


def fold_text(value: str) -> str:
    """Lowercase a name and drop accents and apostrophes (Ma'rúf → maruf), for comparing."""
    if value.isascii():  # nothing to decompose (most names; an import folds a million)
        return _APOSTROPHES.sub("", value.lower())
    folded = value
    for _round in range(2):  # casefolding can expose new marks (İ → i + dot), so fold twice
        decomposed = unicodedata.normalize("NFKD", folded.casefold())
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _APOSTROPHES.sub("", folded)


def _parse_phone(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """Read ``text`` as a number dialled in ``region``; None unless it is a valid number."""
    number = _plain_international(text)
    if number is None:
        try:
            number = phonenumbers.parse(text, region, keep_raw_input=True)
        except phonenumbers.NumberParseException:
            return None
    return number if phonenumbers.is_valid_number(number) else None


_PLAIN_INTERNATIONAL = re.compile(r"\+[1-9][0-9]{2,19}")


def _plain_international(text: str) -> phonenumbers.PhoneNumber | None:
    """``text`` as ``phonenumbers.parse`` reads it, when it is the common ``+<digits>`` that
    parse takes as it is: a known country code, then a national number of 2–17 digits with
    no leading zero and nothing the country's national-prefix pattern would strip. None for
    anything else, which is parsed the long way. Parsing is two thirds of a phone check and
    an import checks a million (tested against ``phonenumbers.parse`` with Hypothesis)."""
    if not _PLAIN_INTERNATIONAL.fullmatch(text):
        return None
    digits = text[1:]
    for size in (1, 2, 3):  # as parse extracts it: the shortest code that exists
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    national = digits[size:]
    if not 2 <= len(national) <= 17 or national[0] == "0":
        return None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        code, phonenumbers.region_code_for_country_code(code)
    )
    if metadata is None:
        return None
    prefix = metadata.national_prefix_for_parsing
    if prefix and _pattern(prefix).match(national):
        return None
    return phonenumbers.PhoneNumber(country_code=code, national_number=int(national))


@cache
def _pattern(expression: str) -> re.Pattern[str]:
    return re.compile(expression)


def _example_phone(regions: list[str]) -> str:
    for region in regions:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if example is not None:
            return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return "+62 812 3456 7890"


def available_profiles() -> tuple[str, ...]:
    """List the codes of the country profiles this installation ships."""
    from peduli.reference.profiles import PROFILES

    return tuple(sorted(PROFILES))


def get_profile(code: str | None = None) -> CountryProfile:
    """Return the profile named ``code``, or the configured one (``PEDULI_PROFILE``)."""
    from peduli.reference.profiles import PROFILES

    wanted = (code if code is not None else get_settings().profile).strip().lower()
    try:
        return PROFILES[wanted]
    except KeyError:
        raise UnknownProfileError(
            f"There is no country profile {wanted!r}; set PEDULI_PROFILE to one of: "
            f"{', '.join(available_profiles())}."
        ) from None
