"""Page arithmetic: never zero pages, never a row left without a page."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peduli.core.paging import page_count


@given(total=st.integers(min_value=0, max_value=10**9), per_page=st.integers(1, 1000))
def test_pages_hold_every_row_with_no_empty_page_but_the_only_one(
    total: int, per_page: int
) -> None:
    pages = page_count(total, per_page)
    assert pages >= 1
    assert pages * per_page >= total
    assert total == 0 or (pages - 1) * per_page < total
