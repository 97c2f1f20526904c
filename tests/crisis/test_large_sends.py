"""A broadcast to more people than ``PEDULI_CRISIS_INLINE_SEND_LIMIT`` is written by the
worker: the request answers at once, and a worker killed half-way leaves nothing half-sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from peduli.core.config import get_settings
from peduli.core.crypto import contact_index
from peduli.core.db import get_sessionmaker, session_scope, utcnow
from peduli.crisis import broadcasts
from peduli.crisis.models import Broadcast, Recipient
from peduli.registry.models import ContactPoint
from tests.crisis.conftest import KL_CIRCLE, Approved
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


@pytest.mark.usefixtures("inline_limit_of_two")
@pytest.mark.parametrize(
    "approved", [KL_CIRCLE, {"countries": ["MY"]}], indirect=True, ids=["cells", "country"]
)
def test_a_large_audience_is_written_run_by_run_and_a_worker_killed_loses_one_run(
    approved: Approved, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broadcasts, "FAN_OUT_STAYS_PER_RUN", 1)  # a run per person here
    approved.client.post(f"{approved.path}/send", headers=approved.headers["hq"])
    whole_run = broadcasts.fan_out
    runs: list[int] = []

    def killed_in_the_second_run(*args: Any, **kwargs: Any) -> dict[str, int]:
        runs.append(1)
        if len(runs) == 2:
            raise RuntimeError("the worker died in its second run")
        return whole_run(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(broadcasts, "fan_out", killed_in_the_second_run)
        with pytest.raises(RuntimeError):
            broadcasts.fan_out_waiting(get_sessionmaker(), utcnow())

    with session_scope() as db:  # the first run stays written, and says where it ended
        (broadcast,) = db.scalars(select(Broadcast)).all()
        assert broadcast.status == "sending" and broadcast.fanned_out_through is not None
        first_run = db.scalars(select(Recipient.person_id)).all()
        assert len(first_run) == 1
        assert len([m for m in all_messages(db) if m.channel == "sms"]) == 1

    assert broadcasts.fan_out_waiting(get_sessionmaker(), utcnow()) == 1  # goes on from there

    assert _state(approved) == ("sent", 3)
    with session_scope() as db:
        channels = sorted(m.channel for m in all_messages(db))
        assert db.scalar(select(Broadcast.fanned_out_through)) is None
    assert channels == ["email", "sms", "sms", "sms"]  # each person's once, as sent whole


@pytest.mark.usefixtures("inline_limit_of_two")
def test_a_second_send_of_a_large_broadcast_reaches_who_newly_has_a_phone(
    approved: Approved, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broadcasts, "FAN_OUT_STAYS_PER_RUN", 1)
    _trust_a_phone(approved.phones[0], trusted=False)  # no confirmed phone yet
    approved.client.post(f"{approved.path}/send", headers=approved.headers["hq"])
    broadcasts.fan_out_waiting(get_sessionmaker(), utcnow())
    with session_scope() as db:
        assert len([m for m in all_messages(db) if m.channel == "sms"]) == 2

    _trust_a_phone(approved.phones[0], trusted=True)  # confirmed since
    again = approved.client.post(f"{approved.path}/send", headers=approved.headers["hq"])
    assert again.status_code == 202, again.text
    broadcasts.fan_out_waiting(get_sessionmaker(), utcnow())

    with session_scope() as db:  # nobody new in the area, and the one phone now reached
        assert len([m for m in all_messages(db) if m.channel == "sms"]) == 3
    assert _state(approved) == ("sent", 3)


def _trust_a_phone(phone: str, *, trusted: bool) -> None:
    with session_scope() as db:
        contact = db.scalars(
            select(ContactPoint).where(ContactPoint.value_index == contact_index(phone))
        ).one()
        contact.trusted_at = utcnow() if trusted else None
