"""The bilateral exchange: an officer's request from a case goes through the outbox to the
sandbox partner state (which checks our signature), and its signed answers come back to
our endpoint on a real port and land on the case."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from peduli.agencies import exchange, message_log
from peduli.agencies.exchange_signing import sign
from peduli.agencies.models import AgencyMessage, ExchangeDirection, ExchangeMessage
from peduli.agencies.sandbox.partner_state import (
    PartnerStateSandbox,
    key_id,
    partner_seed,
)
from peduli.agencies.schemas import ExchangeRequestCreate
from peduli.auth.actor import Role
from peduli.cases.models import CaseEvent, CasePerson
from peduli.core.errors import NotFound, ValidationFailed
from peduli.notify.models import OutboxStatus
from peduli.notify.ports import Channel
from tests.agencies.conftest import KL, SessionFactory, dispatch, open_case, staff_actor, token_for
from tests.browser.harness import LiveServer
from tests.notify.notify_helpers import make_due, outbox, received


def request_access(factory: SessionFactory, partner: str = "MY") -> tuple[uuid.UUID, str]:
    """An officer of KBRI Kuala Lumpur asks for consular access; (case id, message id)."""
    with factory() as session, session.begin():
        officer = staff_actor(session, Role.OFFICER, KL, f"officer-{uuid.uuid4().hex[:6]}")
        case = open_case(session, officer)
        person = session.scalar(select(CasePerson.id).where(CasePerson.case_id == case.id))
        body = ExchangeRequestCreate(
            partner_code=partner,
            kind="consular_access_request",
            case_person_id=person,
            note="Please allow a visit.",
        )
        row = exchange.send_request(session, case_id=case.id, data=body, actor=officer)
        return case.id, row.message_id


def inbound(factory: SessionFactory, case_id: uuid.UUID) -> list[ExchangeMessage]:
    with factory() as session:
        query = select(ExchangeMessage).where(
            ExchangeMessage.case_id == case_id,
            ExchangeMessage.direction == ExchangeDirection.INBOUND,
        )
        return list(session.scalars(query.order_by(ExchangeMessage.created_at)))


def test_a_consular_access_request_is_answered_on_the_case(
    live_server: LiveServer,
    session_factory: SessionFactory,
    partner_state: PartnerStateSandbox,
    channels: dict[str, Channel],
) -> None:
    case_id, message_id = request_access(session_factory)
    partner_state.faults.fail_next(1, status=503)  # the ministry's portal is down a moment

    dispatch(session_factory, channels)
    assert outbox(session_factory)[0].status == OutboxStatus.FAILED
    make_due(session_factory)
    dispatch(session_factory, channels)
    assert outbox(session_factory)[0].status == OutboxStatus.SENT

    (got,) = received(session_factory, "partner_state")
    request = json.loads(got.body)
    assert request["message_id"] == message_id and request["kind"] == "consular_access_request"
    assert request["subject"]["name"] == "Siti Aminah" and "nik" not in request["subject"]

    deadline = time.monotonic() + 40
    while (
        len(inbound(session_factory, case_id)) < 2 or len(partner_state.posted) < 2
    ) and time.monotonic() < deadline:
        time.sleep(0.05)
    answers = inbound(session_factory, case_id)
    assert [a.kind for a in answers] == ["acknowledgement", "consular_access_granted"]
    assert all(a.in_reply_to == message_id for a in answers)
    assert [status for status, _doc in partner_state.posted] == [202, 202]

    with session_factory() as session:
        officer = staff_actor(session, Role.OFFICER, KL, "reader")
        shown = exchange.case_messages(session, case_id=case_id, actor=officer)
        assert [m.direction for m in shown] == ["outbound", "inbound", "inbound"]
        assert shown[0].delivery == "sent" and shown[0].answered_at is not None
        assert "place" in shown[2].details and "visit_date" in shown[2].details
        kinds = session.scalars(
            select(CaseEvent.kind).where(CaseEvent.case_id == case_id, CaseEvent.kind == "exchange")
        ).all()
        assert len(kinds) == 3
        logged = session.execute(
            select(AgencyMessage.direction, AgencyMessage.outcome, AgencyMessage.purpose)
            .where(AgencyMessage.agency == "partner_state")
            .order_by(AgencyMessage.seq)
        ).all()
        assert [(d, o) for d, o, _p in logged] == [
            ("request", "queued"),
            ("answer", "delivered"),
            ("answer", "received"),
            ("answer", "received"),
        ]
        assert {p for _d, _o, p in logged} == {"bilateral_exchange"}
        assert message_log.verify(session).ok


def test_the_partner_state_refuses_a_tampered_or_replayed_request(
    session_factory: SessionFactory, partner_state: PartnerStateSandbox
) -> None:
    import httpx

    from peduli.agencies.exchange_signing import exchange_settings

    settings = exchange_settings()
    body = json.dumps({"message_id": "ID-1", "kind": "worker_status_request"}).encode()
    headers = sign(
        settings.signing_seed(),
        key_id=settings.key_id,
        body=body,
        timestamp=int(time.time()),
    )
    url = partner_state.partner_url("MY") + "/messages"
    assert httpx.post(url, content=body + b" ", headers=headers).status_code == 401
    assert httpx.post(url, content=body, headers=headers).status_code == 202
    assert httpx.post(url, content=body, headers=headers).status_code == 409
    assert partner_state.refused == ["mismatch"]


def test_a_request_names_only_people_of_the_case_and_known_partners(
    session_factory: SessionFactory, partner_state: PartnerStateSandbox
) -> None:
    with session_factory() as session:
        officer = staff_actor(session, Role.OFFICER, KL, "officer-x")
        case = open_case(session, officer)
        other = open_case(session, officer, people=[{"name": "Orang Lain"}])
        stranger = session.scalar(select(CasePerson.id).where(CasePerson.case_id == other.id))
        mine = session.scalar(select(CasePerson.id).where(CasePerson.case_id == case.id))
        for partner, person, field in (
            ("XX", mine, "partner_code"),
            ("MY", stranger, "case_person_id"),
        ):
            body = ExchangeRequestCreate(
                partner_code=partner, kind="worker_status_request", case_person_id=person
            )
            with pytest.raises(ValidationFailed) as refused:
                exchange.send_request(session, case_id=case.id, data=body, actor=officer)
            assert refused.value.problems[0].field == field
        seoul = staff_actor(session, Role.OFFICER, "kbri-seoul", "officer-seoul")
        body = ExchangeRequestCreate(
            partner_code="MY", kind="worker_status_request", case_person_id=mine
        )
        with pytest.raises(NotFound):  # another post's case
            exchange.send_request(session, case_id=case.id, data=body, actor=seoul)


def _signed(
    document: dict[str, object],
    *,
    code: str = "MY",
    at: float | None = None,
    seed: bytes | None = None,
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(document).encode()
    stamp = int(at if at is not None else time.time())
    headers = sign(seed or partner_seed(code), key_id=key_id(code), body=body, timestamp=stamp)
    return body, {**headers, "Content-Type": "application/json"}


def _answer(in_reply_to: str, kind: str = "consular_access_granted") -> dict[str, object]:
    return {
        "message_id": f"MY-{uuid.uuid4()}",
        "kind": kind,
        "in_reply_to": in_reply_to,
        "sent_at": "2026-12-06T02:00:00+00:00",
        "details": {"place": "Semenyih"},
    }


INBOUND = "/api/v1/exchange/messages"


def test_our_endpoint_refuses_what_a_partner_did_not_sign(
    client: TestClient, session_factory: SessionFactory, partner_state: PartnerStateSandbox
) -> None:
    case_id, message_id = request_access(session_factory)
    document = _answer(message_id)
    body, headers = _signed(document)

    unsigned = client.post(INBOUND, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    assert unsigned.headers["content-type"].startswith("application/problem+json")
    tampered = client.post(
        INBOUND, content=body.replace(b"Semenyih", b"Elsewhere"), headers=headers
    )
    assert tampered.status_code == 403 and tampered.json()["code"] == "signature_mismatch"
    forged = client.post(INBOUND, content=body, headers=_signed(document, seed=b"\x01" * 32)[1])
    assert forged.status_code == 403
    stale_body, stale = _signed(document, at=time.time() - 3600)
    assert client.post(INBOUND, content=stale_body, headers=stale).json()["code"] == (
        "signature_stale"
    )
    other_key = _signed(document, code="SA")  # Saudi Arabia's key, about Malaysia's request
    assert client.post(INBOUND, content=other_key[0], headers=other_key[1]).status_code == 404
    assert inbound(session_factory, case_id) == []

    assert client.post(INBOUND, content=body, headers=headers).status_code == 202
    # The partner missed our answer and sends the very same message again: acknowledged, once.
    assert client.post(INBOUND, content=body, headers=_signed(document)[1]).status_code == 202
    changed, changed_headers = _signed({**document, "details": {"place": "Kajang"}})
    replay = client.post(INBOUND, content=changed, headers=changed_headers)
    assert replay.status_code == 409 and replay.json()["code"] == "replay"
    assert len(inbound(session_factory, case_id)) == 1


def test_our_endpoint_refuses_answers_that_do_not_fit(
    client: TestClient, session_factory: SessionFactory, partner_state: PartnerStateSandbox
) -> None:
    _case_id, message_id = request_access(session_factory)
    for document, status in (
        (_answer("ID-no-such-request-000"), 404),
        (_answer(message_id, kind="repatriation_cleared"), 422),
        ({**_answer(message_id), "kind": "hello"}, 422),
        ({"message_id": "MY-0000000001"}, 422),
    ):
        body, headers = _signed(document)
        answer = client.post(INBOUND, content=body, headers=headers)
        assert answer.status_code == status, answer.text
    body, headers = _signed({})
    not_json = client.post(INBOUND, content=b"not json", headers=_signed({})[1])
    assert not_json.status_code == 403  # the signature covers the body


def test_the_case_api_sends_and_lists_for_the_posts_workers_only(
    client: TestClient, session_factory: SessionFactory, partner_state: PartnerStateSandbox
) -> None:
    with session_factory() as session, session.begin():
        officer = staff_actor(session, Role.OFFICER, KL, "officer-api")
        case = open_case(session, officer)
        person = session.scalar(select(CasePerson.id).where(CasePerson.case_id == case.id))
    kl = token_for(session_factory, Role.OFFICER, KL)
    seoul = token_for(session_factory, Role.OFFICER, "kbri-seoul")
    analyst = token_for(session_factory, Role.HQ_ANALYST)
    path = f"/api/v1/cases/{case.id}/exchange"
    body = {
        "partner_code": "SA",
        "kind": "repatriation_request",
        "case_person_id": str(person),
        "note": "Exit permit, please.",
    }
    assert client.post(path, json=body, headers=seoul).status_code == 404
    assert client.post(path, json=body, headers=analyst).status_code == 403
    made = client.post(path, json=body, headers=kl)
    assert made.status_code == 201, made.text
    assert made.json()["delivery"] == "queued" and made.headers["cache-control"] == "no-store"
    listed = client.get(path, headers=kl).json()
    assert [m["kind"] for m in listed] == ["repatriation_request"]
    assert client.get(path, headers=seoul).status_code == 404
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ExchangeMessage)) == 1


def test_the_sandbox_partner_answers_each_kind_like_a_ministry() -> None:
    from peduli.agencies.sandbox.partner_state import PARTNERS, answer_for

    my = PARTNERS[0]
    assert answer_for({"kind": "consular_access_request"}, my)[0] == "consular_access_granted"
    assert answer_for({"kind": "repatriation_request"}, my)[0] == "repatriation_cleared"
    kind, details = answer_for(
        {"kind": "worker_status_request", "subject": {"employer": "Ladang Sawit"}}, my
    )
    assert kind == "worker_status_report" and details["employer"] == "Ladang Sawit"


def test_a_new_request_is_audited_as_a_disclosure(
    session_factory: SessionFactory, partner_state: PartnerStateSandbox
) -> None:
    from peduli.auth.audit import AuditEntry

    request_access(session_factory)
    with session_factory() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "exchange.send"))
        assert entry is not None and entry.reason == "MY:consular_access_request"
