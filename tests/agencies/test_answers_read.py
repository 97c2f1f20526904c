"""The immigration and BP2MI answers are read strictly: whatever JSON an agency sends, the
adapter returns a typed answer or refuses it as malformed, never another error."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peduli.agencies import bp2mi, immigration
from peduli.agencies.gateway import AgencyRefused
from peduli.agencies.travel_models import PassportStatus

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.sampled_from(["valid", "replaced", "2026-01-02", "2026-01-02T03:04:05+00:00", "MY"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)  # fmt: skip
KEYS = st.sampled_from([
    "status", "issued_on", "expires_on", "status_since", "replaced_by", "date_of_birth_match",
    "crossings", "at", "direction", "port", "country", "placements", "placement_id",
    "employer", "sector", "contract_start", "contract_end", "agencies", "licence", "name",
    "revoked_on", "agency_name", "agency_licence",
])  # fmt: skip
ANSWERS = st.dictionaries(KEYS, JSON, max_size=8)
READERS: list[Callable[[Mapping[str, Any]], object]] = [
    immigration.read_status,
    immigration.read_crossings,
    bp2mi.read_placements,
    bp2mi.read_agencies,
]


@pytest.mark.parametrize("read", READERS)
@given(answer=ANSWERS)
def test_any_answer_is_read_or_refused_as_malformed(
    read: Callable[[Mapping[str, Any]], object], answer: dict[str, Any]
) -> None:
    refusal: AgencyRefused | None = None
    try:
        read(answer)
    except AgencyRefused as refused:
        refusal = refused
    assert refusal is None or refusal.malformed


def test_a_documented_status_answer_is_read() -> None:
    answer = immigration.read_status(
        {"status": "replaced", "issued_on": "2020-01-02", "expires_on": "2030-01-01",
         "status_since": "2025-05-05", "replaced_by": "X7654321", "date_of_birth_match": True}
    )  # fmt: skip
    assert answer.status == PassportStatus.REPLACED and answer.replaced_by == "X7654321"
    with pytest.raises(AgencyRefused):
        immigration.read_status({"status": "replaced"})  # a replacement names its successor
