"""Staff pages of the agencies domain, through the same services as the API.

``/hq/webhooks``: HQ admins list partner systems' subscriptions, add one (its secret is
shown once, on the page that answers the form), pause or resume one, rotate its secret.
``/officer/cases/{id}/exchange``: a case's messages to and from partner states, and the
form that asks a partner state about one of the case's people (linked from the case screen).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies import exchange, webhooks
from peduli.agencies.exchange_workflow import RequestKind
from peduli.agencies.schemas import ExchangeRequestCreate, SubscriptionCreate, SubscriptionUpdate
from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import CASE_WORKERS, WEBHOOK_MANAGERS
from peduli.cases.access import load_case
from peduli.cases.models import CasePerson
from peduli.core.errors import PeduliError, ValidationFailed
from peduli.core.events import EventType
from peduli.core.i18n import _
from peduli.web.desk import SignedIn
from peduli.web.forms import all_but_not_found, run_form
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)
WEBHOOKS = "/hq/webhooks"
Text = Annotated[str, Form(max_length=2000)]
DONE = {
    "paused": _("The subscription is paused: nothing more is sent to it."),
    "resumed": _("The subscription is active again."),
    "sent": _("The request is queued; it is signed and sent to the partner state."),
}


def _refused(failure: PeduliError | None, form: dict[str, Any] | None) -> dict[str, Any]:
    problems = (
        {p.field: p for p in failure.problems} if isinstance(failure, ValidationFailed) else {}
    )
    return {
        "failure": failure if failure and not problems else None,
        "problems": problems,
        "form": form or {},
    }


def _webhooks_page(
    request: Request,
    db: Session,
    staff: Actor,
    *,
    done: str = "",
    secret: tuple[str, str] | None = None,
    failure: PeduliError | None = None,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "agencies/webhooks.html",
        {
            "staff": staff,
            "subscriptions": webhooks.list_subscriptions(db, actor=staff),
            "event_types": [t.value for t in EventType],
            "done": DONE.get(done),
            "secret": secret,
            **_refused(failure, form),
        },
        status_code=failure.status if failure else 200,
    )


@router.get(WEBHOOKS, response_class=HTMLResponse, dependencies=[staff_page(WEBHOOK_MANAGERS)])
def webhook_list(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Partner systems' subscriptions, with the form to add one."""
    return _webhooks_page(request, db, staff, done=done)


@router.post(WEBHOOKS, dependencies=[staff_page(WEBHOOK_MANAGERS)])
def webhook_create(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    subscriber: Text = "",
    url: Text = "",
    purpose: Text = "",
    event_types: Annotated[list[str] | None, Form(max_length=10)] = None,
) -> Response:
    """Add a subscription; the page that answers shows its secret, this once."""
    form = {
        "subscriber": subscriber,
        "url": url,
        "purpose": purpose,
        "event_types": event_types or [],
    }

    def act() -> tuple[str, str]:
        body = SubscriptionCreate.model_validate(form)
        read, secret = webhooks.create_subscription(db, data=body, actor=staff)
        return read.subscriber, secret

    return run_form(
        db,
        act,
        done=lambda made: _webhooks_page(request, db, staff, secret=made),
        refused=lambda refusal: _webhooks_page(
            request, db, staff, failure=refusal.error, form=form
        ),
        refuses=all_but_not_found,
    )


@router.post(WEBHOOKS + "/{subscription_id}", dependencies=[staff_page(WEBHOOK_MANAGERS)])
def webhook_change(
    request: Request,
    subscription_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    action: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Pause, resume, or rotate the secret of a subscription."""

    def act() -> tuple[str, str] | None:
        if action == "rotate":
            read, secret = webhooks.rotate_secret(db, subscription_id=subscription_id, actor=staff)
            return read.subscriber, secret
        body = SubscriptionUpdate(active=action == "resume")
        webhooks.update_subscription(db, subscription_id=subscription_id, data=body, actor=staff)
        return None

    def done(made: tuple[str, str] | None) -> Response:
        if made is None:
            state = "resumed" if action == "resume" else "paused"
            return _webhooks_page(request, db, staff, done=state)
        return _webhooks_page(request, db, staff, secret=made)

    return run_form(
        db,
        act,
        done=done,
        refused=lambda refusal: _webhooks_page(request, db, staff, failure=refusal.error),
    )


def _exchange_page(
    request: Request,
    db: Session,
    staff: Actor,
    case_id: uuid.UUID,
    *,
    done: str = "",
    failure: PeduliError | None = None,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    case = load_case(db, case_id=case_id, actor=staff, action="exchange.page")
    people = db.execute(
        select(CasePerson.id, CasePerson.name).where(CasePerson.case_id == case.id)
    ).all()
    return render(
        request,
        "agencies/case_exchange.html",
        {
            "staff": staff,
            "case": case,
            "messages": exchange.case_messages(db, case_id=case.id, actor=staff),
            "partners": exchange.active_partners(db),
            "people": people,
            "kinds": [k.value for k in RequestKind],
            "done": DONE.get(done),
            **_refused(failure, form),
        },
        status_code=failure.status if failure else 200,
    )


@router.get(
    "/officer/cases/{case_id}/exchange",
    response_class=HTMLResponse,
    dependencies=[staff_page(CASE_WORKERS)],
)
def case_exchange(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The case's exchange with partner states."""
    return _exchange_page(request, db, staff, case_id, done=done)


@router.post("/officer/cases/{case_id}/exchange", dependencies=[staff_page(CASE_WORKERS)])
def case_exchange_send(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    partner_code: Annotated[str, Form(max_length=8)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    case_person_id: Annotated[str, Form(max_length=40)] = "",
    note: Text = "",
) -> Response:
    """Send a request to a partner state from the case."""
    form = {
        "partner_code": partner_code,
        "kind": kind,
        "case_person_id": case_person_id,
        "note": note,
    }

    def act() -> None:
        body = ExchangeRequestCreate.model_validate(form)
        exchange.send_request(db, case_id=case_id, data=body, actor=staff)

    return run_form(
        db,
        act,
        done=f"/officer/cases/{case_id}/exchange?done=sent",
        refused=lambda refusal: _exchange_page(
            request, db, staff, case_id, failure=refusal.error, form=form
        ),
        refuses=all_but_not_found,
    )
