"""The civil registry adapter against the sandbox: match flags (never data), a name
written another way scored against the threshold, a deceased holder, the family card only
for the purposes that allow it, and answers of the wrong shape refused as malformed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from peduli.agencies import civil_registry as dukcapil
from peduli.agencies.envelope import Purpose, PurposeRequired
from peduli.agencies.gateway import AgencyRefused
from peduli.agencies.sandbox.civil_registry import CivilRegistrySandbox
from tests.agencies.conftest import LATE, SITI


def _verify(db: Session, **fields: Any) -> dukcapil.NikCheck:
    return dukcapil.verify_nik(
        db, purpose=Purpose.IDENTITY_VERIFICATION, cause="test", actor="officer/1", **fields
    )


def test_every_field_matching_is_verified_and_no_data_comes_back(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    check = _verify(
        db, nik=SITI.nik, full_name="SITI NURHALIZA", date_of_birth=date(1990, 6, 5),
        place_of_birth="bogor", sex="F", mother_name="Aminah Rahayu",
    )  # fmt: skip
    assert check.verified and check.mismatched == []
    assert check.flags["full_name"].score is not None and check.flags["full_name"].score >= 85
    assert check.flags["full_name"].threshold == 85.0
    answer = str(civil_registry.received)
    assert SITI.full_name not in answer and "Aminah" not in answer


def test_each_field_that_differs_is_flagged(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    check = _verify(
        db, nik=SITI.nik, full_name="Dewi Lestari", date_of_birth=date(1990, 6, 6),
        place_of_birth="Bandung", sex="M", mother_name="Sri Wahyuni",
    )  # fmt: skip
    assert check.mismatched == [
        "full_name", "date_of_birth", "place_of_birth", "sex", "mother_name",
    ]  # fmt: skip
    assert check.flags["full_name"].score is not None and check.flags["full_name"].score < 85


def test_an_unknown_nik_and_a_deceased_holder(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    assert not _verify(db, nik="3201010101010001").found
    late = _verify(db, nik=LATE.nik, full_name=LATE.full_name)
    assert (late.found, late.active, late.mismatched, late.verified) == (
        True, False, ["active"], False,
    )  # fmt: skip


def test_the_family_card_only_for_purposes_that_allow_it(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    with pytest.raises(PurposeRequired):
        dukcapil.family_card(
            db, dukcapil.Asked(SITI.nik, Purpose.IDENTITY_VERIFICATION, cause="x", actor="a")
        )
    assert civil_registry.received == []  # refused before anything was sent
    card = dukcapil.family_card(
        db, dukcapil.Asked(SITI.nik, Purpose.PROTECTION_CASE, cause="case 1", actor="a")
    )
    assert {m.relation for m in card.members} == {"self", "mother"}
    # The agency itself refuses a purpose it does not allow, whoever asks.
    status, _body = civil_registry.family_card(
        {"nik": SITI.nik}, {"X-Road-Purpose": "identity_verification"}
    )
    assert status == 403


JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12,
)  # fmt: skip


@given(answer=st.dictionaries(
    st.sampled_from(["nik_found", "active", "fields", "other"]), JSON, max_size=4))  # fmt: skip
def test_any_answer_is_read_or_refused_as_malformed(answer: dict[str, Any]) -> None:
    refusal: AgencyRefused | None = None
    try:
        check = dukcapil.read_check(answer)
    except AgencyRefused as refused:
        refusal = refused
    if refusal is not None:
        assert refusal.malformed
    else:
        assert isinstance(check.found, bool)
        assert set(check.flags) <= set(dukcapil.FIELDS)


def test_the_marital_status_a_value_only_for_the_voter_list(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    def asked(nik: str, purpose: Purpose = Purpose.ELECTIONS) -> bool | None:
        return dukcapil.ever_married(
            db, dukcapil.Asked(nik, purpose, cause="election 1", actor="a")
        )

    with pytest.raises(PurposeRequired):
        asked(SITI.nik, Purpose.IDENTITY_VERIFICATION)
    assert civil_registry.received == []  # refused before anything was sent
    assert asked(SITI.nik) is False  # belum kawin
    civil_registry.add(replace(LATE, nik="3273010101700003", marital_status="cerai_mati"))
    assert asked("3273010101700003") is True, "widowed is previously married"
    assert asked("3201010101010001") is None
    status, _body = civil_registry.marital_status(
        {"nik": SITI.nik}, {"X-Road-Purpose": "identity_verification"}
    )
    assert status == 403
