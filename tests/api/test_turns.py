"""People's requests and the SMS gateway's delivery reports take turns in lanes of their own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import anyio
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.api.deps import get_db, get_delivery_reports_db
from peduli.api.turns import Lane, transactions_per_process, turns


async def _opens_within(dependency: Callable[[], AsyncIterator[Session]], seconds: float) -> bool:
    """Whether the dependency hands out its session within ``seconds``."""
    transaction = dependency()
    opened = False
    with anyio.move_on_after(seconds):
        assert isinstance(await anext(transaction), Session)
        opened = True
    await transaction.aclose()
    return opened


def _with_lane_full(lane: Lane, dependency: Callable[[], AsyncIterator[Session]]) -> bool:
    """With every turn of ``lane`` taken, whether ``dependency`` still opens its session."""

    async def run() -> bool:
        async with AsyncExitStack() as held:
            size = transactions_per_process() if lane is Lane.REQUESTS else 1
            for _ in range(size):
                await held.enter_async_context(turns(lane))
            return await _opens_within(dependency, seconds=1.0)

    return anyio.run(run)


def test_delivery_reports_never_wait_for_peoples_requests(clean_engine: Engine) -> None:
    assert _with_lane_full(Lane.REQUESTS, get_delivery_reports_db)
    assert not _with_lane_full(Lane.REQUESTS, get_db)  # a person's request does wait


def test_peoples_requests_never_wait_for_delivery_reports(clean_engine: Engine) -> None:
    assert _with_lane_full(Lane.DELIVERY_REPORTS, get_db)
    assert not _with_lane_full(Lane.DELIVERY_REPORTS, get_delivery_reports_db)
