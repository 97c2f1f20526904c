"""The country-profile contract: the registry, the shared phone rules and the generic name key."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import FrozenInstanceError
from datetime import date

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peduli.core.config import get_settings
from peduli.core.errors import FieldProblem
from peduli.reference import profile as profile_module
from peduli.reference.profile import (
    CountryProfile,
    Sex,
    UnknownProfileError,
    available_profiles,
    fold_text,
    get_profile,
)
from peduli.reference.profiles.indonesia import INDONESIA, IndonesiaProfile


class LandOfTestsProfile(CountryProfile):
    """A second country, built only from the base class, to prove the contract is enough."""

    def normalize_national_id(self, value: str) -> str:
        return value.strip()

    def validate_national_id(
        self,
        value: str,
        *,
        date_of_birth: date | None = None,
        sex: Sex | None = None,
        field: str = "nik",
    ) -> list[FieldProblem]:
        ok = self.normalize_national_id(value).isdigit()
        return [] if ok else [FieldProblem(field, "id_digits", "Not digits.", "Use digits.")]

    def normalize_passport(self, value: str) -> str:
        return value.strip().upper()

    def validate_passport(
        self, value: str, *, field: str = "passport_number"
    ) -> list[FieldProblem]:
        return []

    def sample_national_id(self, rng: random.Random, *, date_of_birth: date, sex: Sex) -> str:
        return str(rng.randint(10**8, 10**9 - 1))

    def sample_passport(self, rng: random.Random) -> str:
        return f"T{rng.randint(0, 99999):05d}"


def _land_of_tests() -> LandOfTestsProfile:
    return LandOfTestsProfile(
        code="tl",
        country="FR",
        citizen_term="citizen",
        national_id_label="ID",
        default_language="fr",
        languages=("fr",),
        representations_resource="representations_tl.json",
        agencies={"civil_registry": "Registry"},
        home_phone_region="FR",
        currency="EUR",
        faker_locale="fr_FR",
    )


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class TestGetProfile:
    def test_default_is_the_configured_profile(
        self, fresh_settings: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PEDULI_PROFILE", "id")
        assert get_profile() is INDONESIA

    def test_explicit_code_ignores_case_and_spaces(self) -> None:
        assert get_profile(" ID ") is INDONESIA

    def test_unknown_explicit_profile_names_the_choices(self) -> None:
        with pytest.raises(
            UnknownProfileError, match=r"no country profile 'xx'.*PEDULI_PROFILE.*id"
        ):
            get_profile("xx")

    def test_unknown_configured_profile_fails_clearly(
        self, fresh_settings: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PEDULI_PROFILE", "atlantis")
        with pytest.raises(UnknownProfileError, match="atlantis"):
            get_profile()

    def test_available_profiles_lists_indonesia(self) -> None:
        assert available_profiles() == ("id",)


class TestIndonesianFacts:
    def test_identity(self) -> None:
        profile = get_profile("id")
        assert isinstance(profile, IndonesiaProfile)
        assert (profile.code, profile.country, profile.citizen_term) == ("id", "ID", "WNI")
        assert (profile.national_id_label, profile.default_language) == ("NIK", "id")
        assert profile.languages == ("id", "en", "zh", "fr")
        assert profile.representations_resource == "representations_id.json"
        assert (profile.home_phone_region, profile.currency) == ("ID", "IDR")

    def test_agencies(self) -> None:
        assert dict(INDONESIA.agencies) == {
            "civil_registry": "Dukcapil",
            "immigration": "Imigrasi",
            "migrant_workers": "BP2MI",
            "police": "Polri",
            "manpower": "Kemnaker",
        }

    def test_profile_cannot_be_changed(self) -> None:
        with pytest.raises(FrozenInstanceError):
            INDONESIA.code = "xx"  # type: ignore[misc]
        with pytest.raises(TypeError):
            INDONESIA.agencies["police"] = "Someone else"  # type: ignore[index]


class TestAnotherCountry:
    def test_base_class_gives_a_working_profile(self) -> None:
        profile = _land_of_tests()
        assert profile.validate_national_id("12 ") == []
        assert [p.code for p in profile.validate_national_id("x1")] == ["id_digits"]
        assert profile.home_province_name("123") is None

    def test_agencies_passed_as_dict_are_frozen(self) -> None:
        with pytest.raises(TypeError):
            _land_of_tests().agencies["police"] = "x"  # type: ignore[index]

    def test_generic_name_key_folds_case_accents_and_punctuation(self) -> None:
        assert _land_of_tests().name_key("  José-María  O'Neil, Jr. ") == "jose maria oneil jr"

    def test_phone_uses_its_own_home_region(self) -> None:
        assert _land_of_tests().normalize_phone("06 12 34 56 78", default_region=None) == (
            "+33612345678",
            [],
        )


class TestNormalizePhone:
    @pytest.mark.parametrize(
        ("value", "region", "expected"),
        [
            ("+82 10-1234-5678", None, "+821012345678"),
            ("+82 10-1234-5678", "MY", "+821012345678"),
            ("010-1234-5678", "KR", "+821012345678"),
            ("0812-3456-7890", "ID", "+6281234567890"),
            ("0812-3456-7890", None, "+6281234567890"),
            ("02-1234-5678", "KR", "+82212345678"),
            ("0912-345-678", "tw", "+886912345678"),
            ("+62 812 3456 7890", "KR", "+6281234567890"),
        ],
    )
    def test_valid_numbers_become_e164(self, value: str, region: str | None, expected: str) -> None:
        assert INDONESIA.normalize_phone(value, default_region=region) == (expected, [])

    def test_indonesian_mobile_typed_in_korea_is_not_read_with_a_korean_carrier_code(
        self,
    ) -> None:
        # Read as Korean, 081 is a carrier-selection code and the rest a Seoul number.
        assert INDONESIA.normalize_phone("0812-3456-7890", default_region="KR")[0] == (
            "+6281234567890"
        )

    def test_blank_is_no_number_and_no_problem(self) -> None:
        assert INDONESIA.normalize_phone("   ", default_region="KR") == (None, [])

    @pytest.mark.parametrize("junk", ["abc", "12", "+82 1", "0000000000000000000", "+999 123456"])
    def test_junk_is_rejected_with_a_message_and_hint(self, junk: str) -> None:
        number, problems = INDONESIA.normalize_phone(junk, default_region="KR", field="mobile")
        assert number is None
        (problem,) = problems
        assert (problem.field, problem.code) == ("mobile", "phone_invalid")
        assert problem.message == (
            "The phone number is not a valid number, neither with its country code nor as a "
            "local number of South Korea or Indonesia."
        )
        assert problem.hint.startswith("Write the number with its country code, for example +82")

    def test_unknown_region_falls_back_to_home_region(self) -> None:
        assert INDONESIA.normalize_phone("0812-3456-7890", default_region="XX")[0] == (
            "+6281234567890"
        )

    def test_without_region_the_message_names_only_the_home_region(self) -> None:
        _, (problem,) = INDONESIA.normalize_phone("12", default_region=None)
        assert problem.message.endswith("local number of Indonesia.")
        assert "+62" in problem.hint


class TestFoldText:
    def test_accents_case_and_apostrophes(self) -> None:
        assert fold_text("Ma'rúf ÇAKIR İlham") == "maruf cakir ilham"

    @given(st.text())
    def test_idempotent(self, value: str) -> None:
        assert fold_text(fold_text(value)) == fold_text(value)

    @given(st.text(st.characters(max_codepoint=127)))
    def test_ascii_text_is_folded_as_the_full_fold_would(self, value: str) -> None:
        full = value
        for _round in range(2):
            decomposed = unicodedata.normalize("NFKD", full.casefold())
            full = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        assert fold_text(value) == full.replace("'", "").replace("`", "")


# ``+<digits>`` near the common forms: each country code, then 0–18 digits (leading zeros,
# national prefixes, too short and too long included), and every region's example numbers.
_CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
_EXAMPLES = sorted(
    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    for region in phonenumbers.SUPPORTED_REGIONS
    for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
    if (example := phonenumbers.example_number_for_type(region, kind)) is not None
)
# The same numbers with the region's national prefix dialled after the country code
# (+52 1 55…, +7 8 812…), which parse may strip.
_PREFIXED = sorted(
    f"+{example.country_code}{metadata.national_prefix}{example.national_number}"
    for region in phonenumbers.SUPPORTED_REGIONS
    if (metadata := phonenumbers.PhoneMetadata.metadata_for_region(region)) is not None
    and metadata.national_prefix
    and (
        example := phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    )
)
_PLUS_DIGITS = st.one_of(
    st.sampled_from(_PREFIXED),
    st.builds("+{}{}".format, st.sampled_from(_CODES), st.text("0123456789", max_size=18)),
    st.builds(
        lambda example, cut, tail: example[: max(2, len(example) - cut)] + tail,
        st.sampled_from(_EXAMPLES),
        st.integers(0, 4),
        st.text("0123456789", max_size=4),
    ),
    st.from_regex(r"\+[0-9]{1,21}", fullmatch=True),
)


def _phonenumbers_reading(text: str, region: str) -> tuple[str | None, str | None]:
    """What ``phonenumbers`` alone makes of ``text``: E.164 if valid, and the carrier code."""
    try:
        number = phonenumbers.parse(text, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return None, None
    if not phonenumbers.is_valid_number(number):
        return None, None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, number.preferred_domestic_carrier_code or None


@settings(max_examples=1000)
@given(text=_PLUS_DIGITS, region=st.sampled_from(["ID", "MY", "KR", "SA", "HK", "TW", "US"]))
def test_the_plain_international_reading_is_exactly_phonenumbers_reading(
    text: str, region: str
) -> None:
    number = profile_module._parse_phone(text, region)
    ours = (
        (
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            number.preferred_domestic_carrier_code or None,
        )
        if number is not None
        else (None, None)
    )
    assert ours == _phonenumbers_reading(text, region)


def test_most_plain_international_numbers_take_the_short_reading() -> None:
    short = [text for text in _EXAMPLES if profile_module._plain_international(text)]
    assert len(short) > 0.8 * len(_EXAMPLES)
    assert profile_module._plain_international("+6281234567890") is not None
    for unusual in ("+62 812 3456 7890", "+620812345678", "+6281234567890 ext. 12", "+62812ab"):
        assert profile_module._plain_international(unusual) is None
