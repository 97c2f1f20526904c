"""The fair-share rule and the ASGI wrapper that sheds connections above it."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from peduli.cli.balancing import ConnectionBalancer, ConnectionShares


@pytest.mark.parametrize(
    ("counts", "mine", "sheds"),
    [
        ([0, 16], 16, False),  # 16 of 32: the fair share
        ([0, 15], 17, True),  # 17 of 32: one too many
        ([0, 16], 17, False),  # 17 of 33: rounding up leaves the odd one where it is
        ([0, 0], 2, True),  # both on one process: one moves
        ([0, 0], 1, False),  # a single client stays put
        ([0, 5, 5], 6, False),  # three processes: 16 → at most 6 each
        ([0, 4, 4], 7, True),
    ],
)
def test_a_process_sheds_only_above_its_fair_share(
    counts: list[int], mine: int, sheds: bool
) -> None:
    shares = ConnectionShares(counts, slot=0)
    assert shares.should_shed(mine) is sheds
    assert counts[0] == (mine - 1 if sheds else mine)  # published, one fewer if one leaves


def test_the_next_response_does_not_shed_a_second_connection_for_the_same_excess() -> None:
    counts = [0, 15]
    shares = ConnectionShares(counts, slot=0)
    assert shares.should_shed(17)
    assert not shares.should_shed(16)


async def _hello(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello", headers={"x-kept": "yes"})


@pytest.mark.parametrize(("others", "closes"), [(1, True), (3, False)])
def test_the_wrapper_adds_connection_close_to_a_response_above_the_share(
    others: int, closes: bool
) -> None:
    open_connections = {"a", "b", "c"}
    shares = ConnectionShares([0, others], slot=0)
    app = ConnectionBalancer(Starlette(routes=[Route("/", _hello)]), shares, open_connections)
    response = TestClient(app).get("/")
    assert response.text == "hello"
    assert response.headers["x-kept"] == "yes"
    assert (response.headers.get("connection") == "close") is closes
