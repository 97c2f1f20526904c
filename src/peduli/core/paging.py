"""Page arithmetic shared by every paged list (pages and API alike)."""

from __future__ import annotations


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill, at least one (an empty list is one empty page)."""
    return max(1, -(-total // per_page))
