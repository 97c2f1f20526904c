"""The events the registry, the agencies' verification and the crisis check-ins emit reach a
subscribed partner system (the real sandbox receiver, which checks each signature)."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from sqlalchemy.orm import Session

from peduli.agencies import verification
from peduli.agencies.sandbox.civil_registry import CivilRecord, CivilRegistrySandbox
from peduli.agencies.sandbox.webhook_receiver import WebhookReceiver
from peduli.auth.actor import Role
from peduli.core.db import utcnow
from peduli.notify.ports import Channel
from peduli.registry import service
from tests.agencies.conftest import KL, SessionFactory, dispatch, staff_actor
from tests.agencies.test_webhooks import publish, subscribe
from tests.crisis.conftest import Sent, approved, sent  # noqa: F401  (a crisis broadcast with links)
from tests.factories import nik, report, staff
from tests.notify.notify_helpers import received

BORN = date(1990, 5, 17)


def _deliveries(factory: SessionFactory, channels: dict[str, Channel]) -> list[dict[str, object]]:
    publish(factory)
    dispatch(factory, channels)
    return [json.loads(m.body) for m in received(factory, "webhook")]


def _reported(factory: SessionFactory, **changes: object) -> uuid.UUID:
    with factory() as session, session.begin():
        outcome = service.submit_self_report(
            session, report=report(place_of_birth="Bogor", **changes), actor=staff()
        )
        assert isinstance(outcome, service.SelfReportOutcome)
        return outcome.person.id


def test_an_officer_verifying_a_person_is_published_once(
    session_factory: SessionFactory, receiver: WebhookReceiver, channels: dict[str, Channel]
) -> None:
    subscribe(session_factory, receiver, event_types=["person.verified"])
    person = _reported(session_factory)
    for _ in range(2):  # verified again: nothing new to tell
        with session_factory() as session, session.begin():
            officer = staff_actor(session, Role.HQ_ADMIN, None, f"hq-verifier-{_}")
            service.verify_person(session, person_id=person, actor=officer, verified=True)
    (event,) = _deliveries(session_factory, channels)
    assert event["type"] == "person.verified"
    assert event["data"] == {"person_id": str(person), "source": "officer"}
    assert receiver.refused == []


def test_a_civil_registry_match_is_published_without_personal_data(
    db: Session,
    session_factory: SessionFactory,
    receiver: WebhookReceiver,
    channels: dict[str, Channel],
    civil_registry: CivilRegistrySandbox,
) -> None:
    subscribe(session_factory, receiver, event_types=["person.verified"])
    number = nik(born=BORN, sex="M")
    civil_registry.add(
        CivilRecord(
            nik=number,
            full_name="Muhammad Yusuf",
            date_of_birth=BORN.isoformat(),
            place_of_birth="Bogor",
            sex="M",
            mother_name="Sri Wahyuni",
        )
    )
    person = _reported(session_factory)
    now = utcnow()
    verification.run_due(session_factory, now, since=now - timedelta(days=1))
    events = _deliveries(session_factory, channels)
    assert [(e["type"], e["data"]) for e in events] == [
        ("person.verified", {"person_id": str(person), "source": "civil_registry"})
    ]
    (got,) = received(session_factory, "webhook")
    assert number not in got.body and "Yusuf" not in got.body
    assert receiver.refused == []


def test_a_crisis_check_in_is_published_with_its_answer_and_post(
    sent: Sent,  # noqa: F811
    session_factory: SessionFactory,
    receiver: WebhookReceiver,
    channels: dict[str, Channel],
) -> None:
    subscribe(session_factory, receiver, event_types=["checkin.recorded"])
    for phone, answer in zip(sent.phones[:2], ("safe", "need_help"), strict=True):
        done = sent.client.post(
            "/api/v1/crises/check-ins", json={"token": sent.tokens[phone], "answer": answer}
        )
        assert done.status_code == 201, done.text
    events = _deliveries(session_factory, channels)
    assert sorted((e["type"], e["data"]["answer"], e["data"]["via"]) for e in events) == [
        ("checkin.recorded", "need_help", "api"),
        ("checkin.recorded", "safe", "api"),
    ]
    assert {e["data"]["crisis_id"] for e in events} == {sent.crisis_id}  # type: ignore[index]
    assert {e["data"]["representation_code"] for e in events} == {KL}  # type: ignore[index]
    assert not any(p in m.body for m in received(session_factory, "webhook") for p in sent.phones)
    assert receiver.refused == []
