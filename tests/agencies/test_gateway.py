"""The gateway against the real sandbox civil registry: answers, retries, the breaker shared
through the database, the cache with expiry, refusals, and the message log."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from peduli.agencies import gateway, message_log
from peduli.agencies.envelope import Purpose, PurposeRequired
from peduli.agencies.gateway import AgencyRefused, AgencyUnavailable
from peduli.agencies.models import AgencyAnswer, AgencyMessage
from peduli.agencies.sandbox.civil_registry import CivilRegistrySandbox
from peduli.agencies.sandbox.faults import FaultMode
from peduli.core.db import get_sessionmaker
from tests.agencies.conftest import SITI

REQUEST = {"nik": SITI.nik, "full_name": SITI.full_name}


def _ask(session: Session, **extra: object) -> object:
    arguments: dict[str, object] = {
        "agency": "civil_registry",
        "operation": "nik/verify",
        "request": REQUEST,
        "purpose": Purpose.IDENTITY_VERIFICATION,
        "cause": "self-report 42",
        "actor": "worker",
    }
    return gateway.call(session, **(arguments | extra))  # type: ignore[arg-type]


def _messages(session: Session) -> list[AgencyMessage]:
    return list(session.scalars(select(AgencyMessage).order_by(AgencyMessage.seq)))


def test_an_answer_comes_back_and_both_messages_are_logged(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    answer = _ask(db)
    db.commit()
    assert answer == {
        "nik_found": True,
        "active": True,
        "fields": {"full_name": {"match": True, "score": 100.0, "threshold": 85.0}},
    }
    request, reply = _messages(db)
    assert (request.direction, reply.direction) == ("request", "answer")
    assert request.message_id == reply.message_id
    assert (reply.outcome, reply.status, reply.purpose) == ("ok", 200, "identity_verification")
    envelope = civil_registry.received[0]["envelope"]
    assert envelope["X-Road-Id"] == str(request.message_id)
    assert envelope["X-Road-Issue"] == "self-report 42"
    assert envelope["X-Road-Request-Hash"] == request.request_hash
    assert message_log.verify(db).ok


@pytest.mark.parametrize("purpose", [None, "", "curiosity"])
def test_a_call_without_a_purpose_is_refused_before_sending(
    db: Session, civil_registry: CivilRegistrySandbox, purpose: object
) -> None:
    with pytest.raises(PurposeRequired):
        _ask(db, purpose=purpose)
    with pytest.raises(PurposeRequired):
        _ask(db, cause=" ")
    assert civil_registry.received == []
    assert _messages(db) == []


def test_the_sandbox_refuses_a_replayed_message_id(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    assert civil_registry.first_sight("one") is True
    assert civil_registry.first_sight("one") is False


def test_server_errors_are_retried_with_backoff(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    civil_registry.faults.switch_on(FaultMode.ERROR, count=2, status=502)
    assert _ask(db)["nik_found"] is True  # type: ignore[index]
    outcomes = [(m.direction, m.outcome) for m in _messages(db)]
    assert outcomes == [("request", "sent"), ("answer", "unavailable")] * 2 + [
        ("request", "sent"),
        ("answer", "ok"),
    ]
    assert len({m.message_id for m in _messages(db)}) == 3  # a retry is a new message


def test_a_slow_agency_times_out_and_is_unavailable(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    civil_registry.faults.switch_on(FaultMode.SLOW, seconds=1.0)
    with pytest.raises(AgencyUnavailable) as raised:
        _ask(db)
    assert "Timeout" in raised.value.reason
    assert raised.value.retry_at > raised.value.retry_at.replace(year=2000)


def test_maintenance_and_rate_limit_give_the_agencys_retry_time(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    civil_registry.faults.switch_on(FaultMode.MAINTENANCE, seconds=120)
    with pytest.raises(AgencyUnavailable) as raised:
        _ask(db)
    left = raised.value.retry_at - _messages(db)[-1].at
    assert timedelta(seconds=100) < left <= timedelta(seconds=125)
    assert len(_messages(db)) == 2  # a long wait is not retried inline


def test_4xx_and_malformed_answers_are_refusals(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    with pytest.raises(AgencyRefused) as refused:
        _ask(db, request={"nik": "12"})
    assert refused.value.answer_status == 400
    civil_registry.faults.switch_on(FaultMode.MALFORMED, count=1)
    with pytest.raises(AgencyRefused) as malformed:
        _ask(db)
    assert malformed.value.malformed


def test_the_breaker_opens_half_opens_and_closes_across_sessions(
    clean_engine: object, civil_registry: CivilRegistrySandbox
) -> None:
    factory = get_sessionmaker()
    civil_registry.faults.switch_on(FaultMode.ERROR, status=503)
    for _ in range(2):  # two failed calls in a row open it (PEDULI_AGENCY_BREAKER_FAILURES)
        with factory() as worker_a:
            with pytest.raises(AgencyUnavailable):
                _ask(worker_a)
            worker_a.commit()
    sent = len(civil_registry.received) + 0
    with factory() as worker_b:  # another worker sees it open: nothing is sent
        with pytest.raises(AgencyUnavailable) as refused:
            _ask(worker_b)
        worker_b.commit()
        assert refused.value.reason == "circuit breaker open"
    assert len(civil_registry.received) == sent
    civil_registry.faults.switch_off()
    time.sleep(0.6)  # the open time is over: one trial call closes it
    with factory() as worker_b:
        assert _ask(worker_b)["nik_found"] is True  # type: ignore[index]
        worker_b.commit()
    with factory() as worker_a:
        assert _ask(worker_a)["nik_found"] is True  # type: ignore[index]


def test_a_failed_trial_call_opens_the_breaker_again(
    clean_engine: object, civil_registry: CivilRegistrySandbox
) -> None:
    factory = get_sessionmaker()
    civil_registry.faults.switch_on(FaultMode.ERROR, status=500)
    for _ in range(2):
        with factory() as session:
            with pytest.raises(AgencyUnavailable):
                _ask(session)
            session.commit()
    time.sleep(0.6)
    with factory() as session:
        with pytest.raises(AgencyUnavailable) as trial:
            _ask(session)
        session.commit()
    assert trial.value.reason == "answered 500"  # the trial went out, once, and failed
    with factory() as session, pytest.raises(AgencyUnavailable) as again:
        _ask(session)
    assert again.value.reason == "circuit breaker open"


def test_cached_answers_are_used_until_they_expire(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    _ask(db, cache_for=timedelta(minutes=5))
    _ask(db, cache_for=timedelta(minutes=5))
    assert len(civil_registry.received) == 1
    db.execute(update(AgencyAnswer).values(expires_at=AgencyAnswer.stored_at))
    _ask(db, cache_for=timedelta(minutes=5))
    assert len(civil_registry.received) == 2
    stored = db.scalar(select(func.count()).select_from(AgencyAnswer))
    assert stored == 1


def test_the_log_detects_an_altered_and_a_removed_entry(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    for _ in range(3):
        _ask(db)
    db.commit()
    assert message_log.verify(db) == message_log.LogCheck(checked=6)
    second = _messages(db)[1]
    db.execute(update(AgencyMessage).where(AgencyMessage.seq == second.seq).values(outcome="x"))
    db.commit()
    assert message_log.verify(db).broken_seq == second.seq
    db.execute(update(AgencyMessage).where(AgencyMessage.seq == second.seq).values(outcome="ok"))
    db.execute(AgencyMessage.__table__.delete().where(AgencyMessage.seq == _messages(db)[3].seq))
    db.commit()
    check = message_log.verify(db)
    assert not check.ok
    assert check.broken_seq == _messages(db)[3].seq
