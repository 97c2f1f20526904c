"""A broadcast to more people than ``PEDULI_CRISIS_INLINE_SEND_LIMIT`` is written by the
worker: the request answers at once, and a worker killed half-way leaves nothing half-sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker, session_scope, utcnow
from peduli.crisis import broadcasts
from peduli.crisis.models import Broadcast
from tests.crisis.conftest import Approved
from tests.outbox import all_messages


@pytest.fixture
def inline_limit_of_two(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PEDULI_CRISIS_INLINE_SEND_LIMIT", "2")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _state(approved: Approved) -> tuple[str, int]:
    """The broadcast's status and recipients."""
    with session_scope() as db:
        (broadcast,) = db.scalars(select(Broadcast)).all()
        return broadcast.status, broadcast.recipients


@pytest.mark.usefixtures("inline_limit_of_two")
def test_a_large_audience_is_handed_to_the_worker_and_written_whole(approved: Approved) -> None:
    answer = approved.client.post(f"{approved.path}/send", headers=approved.headers["hq"])

    assert answer.status_code == 202, answer.text
    assert answer.json()["broadcast"]["status"] == "sending"
    assert answer.json()["queued"] == {}
    with session_scope() as db:
        assert all_messages(db) == []

    assert broadcasts.fan_out_waiting(get_sessionmaker(), utcnow()) == 1

    assert _state(approved) == ("sent", 3)
    with session_scope() as db:
        channels = sorted(m.channel for m in all_messages(db))
    assert channels == ["email", "sms", "sms", "sms"]
    assert broadcasts.fan_out_waiting(get_sessionmaker(), utcnow()) == 0  # nothing waits


@pytest.mark.usefixtures("inline_limit_of_two")
def test_a_fan_out_that_fails_half_way_leaves_the_broadcast_waiting(
    approved: Approved, monkeypatch: pytest.MonkeyPatch
) -> None:
    approved.client.post(f"{approved.path}/send", headers=approved.headers["hq"])

    def killed(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("the worker died writing the outbox")

    with monkeypatch.context() as patched:
        patched.setattr(broadcasts.delivery, "write_outbox", killed)
        with pytest.raises(RuntimeError):
            broadcasts.fan_out_waiting(get_sessionmaker(), utcnow())

    assert _state(approved) == ("sending", 0)  # the recipients rolled back
    assert broadcasts.fan_out_waiting(get_sessionmaker(), utcnow()) == 1
    with session_scope() as db:
        assert len(all_messages(db)) == 4
