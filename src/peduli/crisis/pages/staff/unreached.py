"""The crisis's "not yet reached" screen: people still silent after the reminder, to call or
visit, with a form per person to record what the attempt came to.

Works without JavaScript (each form posts, then back to the list with a 303, or the list
again with the typed input and the problem next to the person's form); with htmx a form
replaces only its own person (the answer is then 200 even for a refusal, as htmx swaps
nothing on a 4xx). The board shows the counts through ``board_figures``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.auth.roles import CRISIS_REACHERS
from peduli.crisis import service, unreached
from peduli.crisis.models import ReachAttempt, ReachOutcome
from peduli.crisis.schemas import ReachCounts
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import Refusal, all_but_not_found, run_form

router = APIRouter(include_in_schema=False, dependencies=[staff_page(CRISIS_REACHERS)])

LIST = "/officer/crises/{crisis_id}/unreached"
Text = Annotated[str, Query(max_length=40)]
FormText = Annotated[str, Form(max_length=40)]
Note = Annotated[str, Form(max_length=4000)]


def board_figures(db: Session, staff: Actor, crisis_id: uuid.UUID) -> dict[str, Any]:
    """What ``crisis/_board_unreached.html`` shows on the board: the counts, and whether the
    reader may open the list."""
    counts: ReachCounts = unreached.counts(db, crisis_id=crisis_id, actor=staff)
    return {"counts": counts, "may_list": staff.role in CRISIS_REACHERS}


def _params(staff: Actor, post: str, per_page: str) -> dict[str, Any]:
    hq = policy.post_scope(staff).every_post
    rows_per_page = desk.per_page_choice(per_page)
    return {
        "post": (post or None) if hq else None,
        "per_page": rows_per_page if rows_per_page != desk.PER_PAGE_CHOICES[0] else None,
    }


def _list_page(
    request: Request,
    db: Session,
    staff: Actor,
    crisis_id: uuid.UUID,
    *,
    post: str = "",
    page: str = "",
    per_page: str = "",
    done: str = "",
    failed: uuid.UUID | None = None,
    refusal: Refusal | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    crisis = service.get(db, crisis_id=crisis_id, actor=staff)
    params = _params(staff, post, per_page)
    rows_per_page = desk.per_page_choice(per_page)
    pages, rows = desk.paged(
        lambda limit, offset: unreached.unreached(
            db, crisis_id=crisis_id, actor=staff, post=params["post"], limit=limit, offset=offset
        ),
        desk.page_number(page),
        rows_per_page,
    )
    hq = policy.post_scope(staff).every_post
    path = LIST.format(crisis_id=crisis_id)
    return desk.page(
        request,
        "crisis/unreached.html",
        staff,
        {
            "crisis": crisis,
            "rows": rows,
            "pages": pages,
            "params": params,
            "hidden": {**params, "page": pages.page if pages.page > 1 else None},
            "url": desk.url_with(path, params),
            "path": path,
            "hq": hq,
            "posts": desk.representation_choices() if hq else [],
            "per_page_choices": desk.PER_PAGE_CHOICES,
            "outcomes": [o.value for o in ReachOutcome],
            "done": done if done in {o.value for o in ReachOutcome} else "",
            "failed": failed,
            "recorded": None,
            "recorded_name": None,
            "person_id": None,
            "problems": refusal.problems if refusal else {},
            "failure": refusal.failure if refusal else None,
            "form": form or {},
        },
        status_code=refusal.status if refusal else 200,
    )


@router.get(LIST, response_class=HTMLResponse)
def unreached_page(
    request: Request,
    crisis_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    post: Text = "",
    page: Annotated[str, Query(max_length=9)] = "1",
    per_page: Text = "",
    done: Text = "",
) -> Response:
    """The people still silent after the reminder, never tried first (audited)."""
    return _list_page(
        request, db, staff, crisis_id, post=post, page=page, per_page=per_page, done=done
    )


def _person(
    request: Request,
    db: Session,
    staff: Actor,
    crisis_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    hidden: dict[str, Any],
    recorded: ReachAttempt | None = None,
    refusal: Refusal | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """One person's part of the list, for htmx: still to reach, or what was recorded."""
    crisis = service.get(db, crisis_id=crisis_id, actor=staff)
    rows: list[Any] = []
    if refusal is None or refusal.status not in (403, 404):
        _, rows = unreached.unreached(
            db, crisis_id=crisis_id, actor=staff, person_id=person_id, limit=1
        )
    return desk.page(
        request,
        "crisis/_unreached_person.html",
        staff,
        {
            "crisis": crisis,
            "p": rows[0] if rows else None,
            "person_id": person_id,
            "path": LIST.format(crisis_id=crisis_id),
            "hidden": hidden,
            "hq": policy.post_scope(staff).every_post,
            "outcomes": [o.value for o in ReachOutcome],
            "recorded": recorded,
            "recorded_name": unreached.reached_name(db, recorded) if recorded else None,
            "failed": person_id if refusal else None,
            "problems": refusal.problems if refusal else {},
            "failure": refusal.failure if refusal else None,
            "form": form or {},
        },
    )


@router.post(LIST + "/{person_id}", response_class=HTMLResponse)
def record_attempt(
    request: Request,
    crisis_id: uuid.UUID,
    person_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    outcome: FormText = "",
    note: Note = "",
    post: FormText = "",
    page: FormText = "",
    per_page: FormText = "",
) -> Response:
    """Record a call or visit: reached safe, needs help (a case opens) or unreachable."""
    form = {"outcome": outcome, "note": note}
    params = _params(staff, post, per_page)
    hidden = {**params, "page": desk.page_number(page) if desk.page_number(page) > 1 else None}
    htmx = request.headers.get("HX-Request") == "true"

    def done(attempt: ReachAttempt) -> Response:
        if htmx:
            return _person(
                request, db, staff, crisis_id, person_id, hidden=hidden, recorded=attempt
            )
        back = desk.url_with(LIST.format(crisis_id=crisis_id), hidden)
        return RedirectResponse(back(done=attempt.outcome), status_code=303)

    def refused(refusal: Refusal) -> Response:
        if htmx:
            return _person(
                request, db, staff, crisis_id, person_id, hidden=hidden, refusal=refusal, form=form
            )
        return _list_page(
            request, db, staff, crisis_id, post=post, page=page, per_page=per_page,
            failed=person_id, refusal=refusal, form=form,
        )  # fmt: skip

    return run_form(
        db,
        lambda: unreached.record_attempt(
            db, crisis_id=crisis_id, person_id=person_id, outcome=outcome, note=note, actor=staff
        ),
        done=done,
        refused=refused,
        refuses=all_but_not_found,
    )
