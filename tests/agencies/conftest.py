"""Fixtures of the agencies tests: the real sandboxes (civil registry, partner states, webhook
receiver) on free ports, the settings and adapters pointed at them, staff and API tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.agencies import exchange
from peduli.agencies.exchange_channel import PartnerStateChannel
from peduli.agencies.exchange_signing import our_public_keys
from peduli.agencies.sandbox import SANDBOXES, AgencySandboxes, start_agency_sandboxes
from peduli.agencies.sandbox.civil_registry import CivilRecord, CivilRegistrySandbox
from peduli.agencies.sandbox.partner_state import PartnerStateSandbox
from peduli.agencies.sandbox.webhook_receiver import WebhookReceiver
from peduli.agencies.webhook_channel import WebhookChannel
from peduli.auth import accounts
from peduli.auth.actor import Actor, Role
from peduli.auth.models import StaffAccount
from peduli.cases import service as cases_service
from peduli.cases.models import Case
from peduli.cases.schemas import CaseCreate
from peduli.core.config import get_settings
from peduli.notify.dispatcher import dispatch_once
from peduli.notify.outcomes import RetryPolicy
from peduli.notify.ports import Channel

SITI = CivilRecord(
    nik="3201014506900001",
    full_name="Siti Nurhaliza binti Ahmad",
    date_of_birth="1990-06-05",
    place_of_birth="Bogor",
    sex="F",
    mother_name="Aminah Rahayu",
)
LATE = CivilRecord(
    nik="3273010101700002",
    full_name="Bambang Suharto",
    date_of_birth="1970-01-01",
    place_of_birth="Bandung",
    sex="M",
    mother_name="Sri Wahyuni",
    alive=False,
)


@pytest.fixture
def agencies(clean_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[AgencySandboxes]:
    """The agency sandboxes on free ports, known to the settings, with SITI and LATE."""
    handles = start_agency_sandboxes(ports=dict.fromkeys(SANDBOXES, 0), residents=())
    registry = handles["civil_registry"]
    assert isinstance(registry, CivilRegistrySandbox)
    registry.add(SITI)
    registry.add(LATE)
    for agency, url in handles.urls().items():
        monkeypatch.setenv(f"PEDULI_AGENCY_{agency.upper()}_URL", url)
    monkeypatch.setenv("PEDULI_AGENCY_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("PEDULI_AGENCY_BREAKER_FAILURES", "2")
    monkeypatch.setenv("PEDULI_AGENCY_BREAKER_OPEN_SECONDS", "0.5")
    get_settings.cache_clear()
    yield handles
    handles.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def civil_registry(agencies: AgencySandboxes) -> CivilRegistrySandbox:
    server = agencies["civil_registry"]
    assert isinstance(server, CivilRegistrySandbox)
    return server


from tests.agencies.exports import data_dir  # noqa: E402, F401  (uploads in a fresh directory)

SessionFactory = Callable[[], Session]
KL = "kbri-kuala-lumpur"
POLICY = RetryPolicy(max_attempts=3, base_seconds=60, max_seconds=600, lease_seconds=300)


@pytest.fixture
def session_factory(clean_engine: Engine) -> SessionFactory:
    from peduli.core.db import get_sessionmaker

    return get_sessionmaker()


@pytest.fixture
def receiver(session_factory: SessionFactory) -> Iterator[WebhookReceiver]:
    server = WebhookReceiver(session_factory, port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def partner_state(session_factory: SessionFactory) -> Iterator[PartnerStateSandbox]:
    our = our_public_keys()
    sandbox = PartnerStateSandbox(
        session_factory, our_keys=our, port=0, ack_delay=0.05, answer_delay=0.2
    )
    sandbox.start()
    with session_factory() as session, session.begin():
        for entry in sandbox.registrations():
            exchange.register_partner(session, **entry)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def channels(session_factory: SessionFactory) -> Iterator[dict[str, Channel]]:
    webhook = WebhookChannel(session_factory, timeout=2.0)
    partner = PartnerStateChannel(session_factory, timeout=2.0)
    yield {"webhook": webhook, "partner_state": partner}
    webhook.close()
    partner.close()


def dispatch(factory: SessionFactory, channels: dict[str, Channel]) -> int:
    return dispatch_once(factory, channels=channels, worker_id="w1", policy=POLICY)


def staff_actor(session: Session, role: Role, post: str | None, name: str) -> Actor:
    account = StaffAccount(
        email=f"{name}@kemlu.example", display_name=name, role=role.value, representation_code=post
    )
    session.add(account)
    session.flush()
    return Actor(
        role=role,
        account_id=account.id,
        display=name,
        representation_code=post if role in (Role.OFFICER, Role.SUPERVISOR) else None,
    )


def open_case(session: Session, actor: Actor, **overrides: Any) -> Case:
    values: dict[str, Any] = {
        "category": "detention",
        "summary": "Detained after a raid on the plantation; asks for a visit.",
        "people": [{"name": "Siti Aminah"}],
    }
    values.update(overrides)
    return cases_service.open_case(session, data=CaseCreate.model_validate(values), actor=actor)


def token_for(
    session_factory: SessionFactory, role: Role, post: str | None = None
) -> dict[str, str]:
    """An API token of a new account of ``role`` (all the scopes the role may hold)."""
    with session_factory() as session, session.begin():
        email = f"{role.value}-{post or 'hq'}@tokens.example"
        found = session.scalar(select(StaffAccount).where(StaffAccount.email == email))
        if found is None:
            accounts.create_staff(session, email=email, role=role, representation_code=post)
        token = accounts.create_token(session, email=email)
    return {"Authorization": f"Bearer {token}"}
