"""Scoring: each comparison's outcome, the weights, the evidence an officer reads."""

from __future__ import annotations

import uuid
from datetime import date

from peduli.registry.linkage.comparisons import (
    LinkRecord,
    Outcome,
    compare_birth_date,
    compare_nik,
)
from peduli.registry.linkage.model import SINGLE_TOKEN_CAP, get_model
from peduli.registry.linkage.names import name_tokens

NIK = "3171051705900011"


def _record(name: str, born: date = date(1990, 5, 17), **fields: object) -> LinkRecord:
    return LinkRecord(id=uuid.uuid4(), tokens=name_tokens(name), date_of_birth=born, **fields)  # type: ignore[arg-type]


def test_a_mistyped_birth_date_is_close() -> None:
    born = date(1990, 5, 17)
    assert compare_birth_date(born, date(1990, 5, 17)) == Outcome.EXACT
    assert compare_birth_date(born, date(1990, 5, 19)) == Outcome.CLOSE  # one digit
    assert compare_birth_date(born, date(1991, 5, 17)) == Outcome.CLOSE  # the year's digit
    assert compare_birth_date(date(1990, 5, 7), date(1990, 7, 5)) == Outcome.CLOSE  # swapped
    assert compare_birth_date(born, date(1975, 2, 3)) == Outcome.DIFFERENT
    assert compare_birth_date(born, None) == Outcome.MISSING


def test_a_nik_with_a_digit_wrong_or_two_swapped_is_close() -> None:
    assert compare_nik(NIK, NIK) == Outcome.EXACT
    assert compare_nik(NIK, NIK[:-1] + "2") == Outcome.CLOSE
    assert compare_nik(NIK, NIK[:4] + NIK[5] + NIK[4] + NIK[6:]) == Outcome.CLOSE
    assert compare_nik(NIK, "3273012308850003") == Outcome.DIFFERENT
    assert compare_nik(NIK, None) == Outcome.MISSING


def test_evidence_names_every_comparison_with_its_weight() -> None:
    scored = get_model().score(
        _record("Moh. Jusuf", sex="M", nik=NIK), _record("Muhammad Yusuf", sex="M")
    )
    assert [item["comparison"] for item in scored.evidence] == [
        "name", "birth_date", "nik", "passport", "phone", "birth_place", "home_regency", "sex",
    ]  # fmt: skip
    by = {item["comparison"]: item for item in scored.evidence}
    assert by["name"]["outcome"] == "exact" and by["name"]["weight"] > 0
    assert by["nik"] == {"comparison": "nik", "outcome": "missing", "weight": 0.0}
    assert all(isinstance(item["weight"], float) for item in scored.evidence)
    assert scored.probability >= get_model().review_threshold


def test_common_tokens_prove_less_than_rare_ones() -> None:
    model = get_model()
    common = model.score(_record("Siti Nur"), _record("Siti Nur"))
    rare = model.score(_record("Yosefina Pattiasina"), _record("Yosefina Pattiasina"))
    assert common.evidence[0]["weight"] < rare.evidence[0]["weight"] - 4


def test_a_single_token_name_alone_proves_little() -> None:
    model = get_model()
    scored = model.score(
        _record("Sukarno", born=date(1990, 5, 17)), _record("Sukarno", born=date(1961, 6, 6))
    )
    assert scored.evidence[0]["weight"] <= SINGLE_TOKEN_CAP
    assert scored.probability < model.review_threshold


def test_a_different_nik_weighs_heavily_against() -> None:
    model = get_model()
    without = model.score(_record("Siti Aminah", sex="F"), _record("Siti Aminah", sex="F"))
    scored = model.score(
        _record("Siti Aminah", nik=NIK, sex="F"),
        _record("Siti Aminah", nik="3273012308850003", sex="F"),
    )
    assert scored.evidence[2] == {
        "comparison": "nik",
        "outcome": "different",
        "weight": scored.evidence[2]["weight"],
    }
    assert scored.evidence[2]["weight"] < -10
    assert scored.weight < without.weight - 10


def test_thresholds_are_ordered() -> None:
    model = get_model()
    assert 0 < model.review_threshold <= model.likely_threshold < 1
