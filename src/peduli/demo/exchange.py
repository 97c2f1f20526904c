"""The demo's bilateral exchange and webhooks: the sandbox partner states registered with
their keys, a partner system subscribed to case and crisis events at the sandbox webhook
receiver, and one case (a detention at KBRI Kuala Lumpur) with a consular access request
that the sandbox Malaysia answers a moment after the worker sends it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.agencies import exchange, webhooks
from peduli.agencies.exchange_workflow import RequestKind
from peduli.agencies.models import ExchangeMessage, WebhookSubscription
from peduli.agencies.sandbox.exchange_sandboxes import (
    ExchangeSandboxes,
    start_exchange_sandboxes,
)
from peduli.agencies.schemas import ExchangeRequestCreate, SubscriptionCreate
from peduli.auth.actor import Actor, Role
from peduli.auth.models import StaffAccount
from peduli.auth.roles import POST_BOUND_ROLES
from peduli.cases import service as cases_service
from peduli.cases.models import Case, CasePerson
from peduli.cases.schemas import CaseCreate
from peduli.core.db import get_sessionmaker, session_scope
from peduli.core.events import EventType
from peduli.registry.models import Person, Stay

DEMO_SUBSCRIBER = "Migrant CARE (demo partner system)"
DEMO_HOOK = "migrant-care"
DEMO_POST = "kbri-kuala-lumpur"
DEMO_SUMMARY = (
    "Domestic worker held at an immigration depot after a raid in Selangor; her employer "
    "kept her passport. Asks for a visit."
)


def _actor(account: StaffAccount) -> Actor:
    role = Role(account.role)
    return Actor(role=role, account_id=account.id, display=account.display_name,
                 representation_code=account.representation_code
                 if role in POST_BOUND_ROLES else None)  # fmt: skip


def _staff(session: Session, role: Role, post: str | None) -> Actor | None:
    query = select(StaffAccount).where(StaffAccount.role == role.value)
    if post:
        query = query.where(StaffAccount.representation_code == post)
    account = session.scalars(query.order_by(StaffAccount.created_at)).first()
    return _actor(account) if account else None


def start_demo_exchange() -> tuple[ExchangeSandboxes, str | None]:
    """Start the sandboxes (their ports, or free ones when taken, e.g. by another demo) and
    set the demo up on them; the sandboxes and the demo case's reference."""
    try:
        handles = start_exchange_sandboxes(get_sessionmaker())
    except OSError:
        handles = start_exchange_sandboxes(get_sessionmaker(), any_port=True)
    with session_scope() as session:
        return handles, ensure_demo_exchange(session, handles)


def ensure_demo_exchange(session: Session, sandboxes: ExchangeSandboxes) -> str | None:
    """Register the sandbox partners, subscribe the demo partner system, and send the demo
    case's consular access request once; returns the case's reference (None without one)."""
    for entry in sandboxes.partner_state.registrations():
        exchange.register_partner(session, **entry)
    _subscribe(session, sandboxes)
    return _request_access(session)


def _subscribe(session: Session, sandboxes: ExchangeSandboxes) -> None:
    url = sandboxes.receiver.hook_url(DEMO_HOOK)
    found = session.scalar(
        select(WebhookSubscription).where(WebhookSubscription.subscriber == DEMO_SUBSCRIBER)
    )
    if found is not None:  # a demo started again: the receiver may listen elsewhere now
        found.url = url
        sandboxes.receiver.trust(DEMO_HOOK, found.secret)
        return
    admin = _staff(session, Role.HQ_ADMIN, None)
    if admin is None:
        return
    body = SubscriptionCreate(
        subscriber=DEMO_SUBSCRIBER,
        url=url,
        purpose="Follows migrant workers' protection cases and crises to offer legal aid.",
        event_types=[EventType.CASE_OPENED, EventType.CASE_CLOSED, EventType.CRISIS_DECLARED],
    )
    _read, secret = webhooks.create_subscription(session, data=body, actor=admin)
    sandboxes.receiver.trust(DEMO_HOOK, secret)


def _demo_case(session: Session, officer: Actor) -> Case | None:
    """The demo's detention case at KBRI Kuala Lumpur, opened once for a registered worker."""
    found = session.scalar(select(Case).where(Case.summary == DEMO_SUMMARY))
    if found is not None:
        return found
    person = session.scalar(
        select(Person.id)
        .join(Stay, Stay.person_id == Person.id)
        .where(Stay.representation_code == DEMO_POST)
        .order_by(Person.created_at)
        .limit(1)
    )
    if person is None:
        return None
    body = CaseCreate(category="detention", subcategory="immigration_detention",
                      summary=DEMO_SUMMARY, person_id=person, intake_channel="phone")  # fmt: skip
    return cases_service.open_case(session, data=body, actor=officer)


def _request_access(session: Session) -> str | None:
    officer = _staff(session, Role.OFFICER, DEMO_POST)
    case = _demo_case(session, officer) if officer else None
    if officer is None or case is None:
        return None
    asked = session.scalar(
        select(func.count()).select_from(ExchangeMessage).where(ExchangeMessage.case_id == case.id)
    )
    person = session.scalar(select(CasePerson.id).where(CasePerson.case_id == case.id))
    if asked or person is None:
        return case.reference
    body = ExchangeRequestCreate(
        partner_code="MY",
        kind=RequestKind.CONSULAR_ACCESS,
        case_person_id=person,
        note="Please allow the consular officer to visit the detainee this week.",
    )
    exchange.send_request(session, case_id=case.id, data=body, actor=officer)
    return case.reference
