"""The 10-5 rule with secondary suppression: examples, properties, and the intruder's attack."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peduli.registry.repository import AbroadCount
from peduli.stats import disclosure
from peduli.stats.disclosure import Line, protect, published_values, rounded
from peduli.stats.releases import TOTAL, Tables, build_tables, protected
from tests.stats.attack import bounds_of, recoverable_small_cells


def test_rounding_is_to_the_nearest_five() -> None:
    assert [rounded(v) for v in (10, 11, 12, 13, 14, 15, 17, 18)] == [
        10,
        10,
        10,
        15,
        15,
        15,
        15,
        20,
    ]


def test_a_lone_small_cell_takes_the_next_smallest_with_it() -> None:
    counts = {"t": 93, "a": 4, "b": 40, "c": 25, "d": 24}
    hidden = protect(counts, [Line("t", ("a", "b", "c", "d"))])
    # a is below 10; alone, t - b - c - d would give it away, so d (the next smallest) goes
    assert hidden == {"a", "d"}


def test_small_suppressed_cells_that_add_up_to_little_take_more() -> None:
    counts = {"t": 73, "a": 3, "b": 4, "c": 30, "d": 36}
    # a + b = 7: total minus c and d would prove both below 10, so c is suppressed as well
    assert protect(counts, [Line("t", ("a", "b", "c", "d"))]) == {"a", "b", "c"}


def test_without_secondary_suppression_the_intruder_recovers_the_cell() -> None:
    """The attack is able to fail: primary suppression alone gives a small cell away."""
    # each published count at the end of its rounding interval that helps the intruder most
    counts = {"t": 92, "a": 3, "b": 38, "c": 23, "d": 28}
    lines = [Line("t", ("a", "b", "c", "d"))]
    only_primary = published_values(counts, disclosure.primary(counts))
    _low, high = bounds_of(only_primary, lines, "a")
    assert high < 10 and recoverable_small_cells(counts, only_primary, lines)
    assert not recoverable_small_cells(
        counts, published_values(counts, protect(counts, lines)), lines
    )


def test_a_suppressed_country_needs_one_of_its_posts_suppressed() -> None:
    rows = [
        AbroadCount("MY", "kbri-kuala-lumpur", "work", "plantation", "F", "25-34", 60),
        AbroadCount("MY", "kjri-penang", "work", "plantation", "F", "25-34", 30),
        AbroadCount("BN", "kbri-bandar-seri-begawan", "work", "plantation", "F", "25-34", 7),
        AbroadCount("SG", "kbri-singapura", "work", "plantation", "F", "25-34", 55),
    ]
    tables = build_tables(rows)
    values = protected(tables, set())
    assert values[("country", "", "BN")] is None
    # Brunei alone would be the grand total minus the others: the smallest other country goes
    assert values[("country", "", "SG")] is None
    # and Singapore would be its only post: that post goes with it
    assert values[("representation", "SG", "kbri-singapura")] is None
    assert not recoverable_small_cells(tables.counts, values, tables.lines)


def test_cells_kept_from_earlier_months_stay_suppressed() -> None:
    counts = {"t": 120, "a": 40, "b": 40, "c": 40}
    lines = [Line("t", ("a", "b", "c"))]
    assert protect(counts, lines) == frozenset()
    assert protect(counts, lines, keep_hidden={"a"}) == {"a", "b"}


CODES = {
    "country": ["MY", "SG", "BN", "KR"],
    "post": ["p1", "p2", "p3"],
    "purpose": ["work", "study", "family"],
    "sector": ["plantation", "domestic_work", ""],
    "sex": ["M", "F"],
    "age_band": ["18-24", "25-34", "35-44"],
}
group = st.builds(
    AbroadCount,
    st.sampled_from(CODES["country"]),
    st.sampled_from(CODES["post"]),
    st.sampled_from(CODES["purpose"]),
    st.sampled_from(CODES["sector"]),
    st.sampled_from(CODES["sex"]),
    st.sampled_from(CODES["age_band"]),
    st.integers(min_value=1, max_value=40),
)
populations = st.lists(group, min_size=1, max_size=25).map(build_tables)


def _assert_protected(tables: Tables, values: dict) -> None:  # type: ignore[type-arg]
    hidden = {key for key, value in values.items() if value is None}
    assert disclosure.lines_with_one_hidden(tables.lines, hidden) == []
    for line in tables.lines:  # hidden members never add up to a provably small group
        members = [key for key in line.members if key in hidden]
        mass = sum(tables.counts[key] for key in members)
        assert not members or line.total in hidden or mass >= 10 + len(members) - 1, line
    for key, value in values.items():
        if value is not None:
            assert value % 5 == 0 and value >= 10, (key, value)
            assert abs(value - tables.counts[key]) <= 2
        if tables.counts[key] < 10:
            assert value is None, key


@settings(max_examples=150, deadline=None)
@given(populations)
def test_no_line_has_one_suppressed_cell_and_every_published_value_is_a_multiple_of_5(
    tables: Tables,
) -> None:
    _assert_protected(tables, protected(tables, set()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations)
def test_the_intruder_proves_no_suppressed_cell_below_the_threshold(tables: Tables) -> None:
    values = protected(tables, set())
    assert recoverable_small_cells(tables.counts, values, tables.lines) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations, populations)
def test_a_series_keeps_its_suppressed_cells_and_each_month_stays_protected(
    first: Tables, second: Tables
) -> None:
    earlier = protected(first, set())
    kept = {key for key, value in earlier.items() if value is None and key != TOTAL}
    later = protected(second, kept)
    assert all(later[key] is None for key in kept if key in later)
    _assert_protected(second, later)
    assert recoverable_small_cells(second.counts, later, second.lines) == []
