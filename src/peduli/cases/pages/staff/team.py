"""The supervisor's view: open cases per officer by priority, overdue and escalated cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth import policy
from peduli.auth.roles import CASE_WORKERS
from peduli.cases import repository
from peduli.cases.models import Priority
from peduli.cases.pages import common
from peduli.core.db import utcnow
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.i18n import negotiate

router = APIRouter(include_in_schema=False, dependencies=[staff_page(CASE_WORKERS)])
LISTED = 50


@router.get(common.CASES + "/team", response_class=HTMLResponse)
def team(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    representation: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """Who carries how many open cases, and which cases are late or escalated."""
    hq = policy.post_scope(staff).every_post
    post = (representation or None) if hq else None
    now = utcnow()
    loads = repository.team_load(db, actor=staff, representation_code=post, now=now)
    officers = repository.officers_of(db, post or staff.representation_code)
    by_id = {load.officer_id: load for load in loads}
    names = dict(officers) | repository.names_of(db, by_id)
    rows = [
        by_id.get(officer_id) or repository.Load(officer_id, {}, 0) for officer_id, _ in officers
    ]
    rows += [load for load in loads if load.officer_id not in dict(officers)]
    overdue_total, overdue = repository.overdue_cases(
        db, actor=staff, limit=LISTED, now=now, representation_code=post
    )
    escalated = repository.escalated(db, actor=staff, representation_code=post, limit=LISTED)
    language = negotiate(request)
    params = {"representation": post}
    return desk.page(
        request,
        "cases/pages/team.html",
        staff,
        {
            "rows": sorted(
                rows, key=lambda load: (load.officer_id is None, names.get(load.officer_id, ""))
            ),
            "names": names,
            "priorities": [p.value for p in Priority],
            "overdue": overdue,
            "overdue_total": overdue_total,
            "escalated": escalated,
            "assignee_names": repository.names_of(
                db, (c.assigned_officer_id for c in [*overdue, *escalated])
            ),
            "category_name": lambda code: common.category_name(code, language),
            "case_cap": repository.PAGE_COUNT_CAP,
            "counts": repository.queue_counts(db, actor=staff, representation_code=post, now=now),
            "params": params,
            "hq": hq,
            "posts": desk.representation_choices() if hq else [],
            "now": now,
        },
    )
