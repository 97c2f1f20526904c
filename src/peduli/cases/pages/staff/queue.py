"""The officer's case queue: filters, sorting, paging and the counts of the post's open cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth import policy
from peduli.auth.roles import CASE_WORKERS
from peduli.cases import repository, taxonomy, workflow
from peduli.cases.models import CaseStatus, Priority
from peduli.cases.pages import common
from peduli.cases.repository import OPEN, QueueQuery, QueueSort
from peduli.core.db import utcnow
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.i18n import negotiate

router = APIRouter(include_in_schema=False, dependencies=[staff_page(CASE_WORKERS)])

Text = Annotated[str, Query(max_length=40)]
ANY = "any"
SLA_STATES = ("on_time", "due_soon", "overdue")


def _status(raw: str) -> str | None:
    if raw == ANY:
        return None
    return raw if raw in {s.value for s in CaseStatus} else OPEN


@router.get(common.CASES, response_class=HTMLResponse)
def case_queue(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    category: Text = "",
    priority: Text = "",
    status: Text = OPEN,
    sla: Text = "",
    assignee: Text = "",
    representation: Text = "",
    sort: Text = QueueSort.PRIORITY.value,
    direction: Annotated[str, Query(alias="dir", max_length=4)] = "asc",
    page: Annotated[str, Query(max_length=9)] = "1",
    per_page: Text = "",
) -> Response:
    """The cases of my representation, the most urgent first, with the post's counts."""
    hq = policy.post_scope(staff).every_post
    post = (representation or None) if hq else None
    assigned_to = common.parse_uuid(assignee)
    if assignee == "mine":
        assigned_to = staff.account_id
    query = QueueQuery(
        category=category if taxonomy.load().get(category) else None,
        priority=Priority(priority) if priority in {p.value for p in Priority} else None,
        status=_status(status),
        sla=sla if sla in SLA_STATES else None,  # type: ignore[arg-type]
        assignee=assigned_to,
        unassigned=assignee == "none",
        representation_code=post,
    )
    order = QueueSort(sort) if sort in {s.value for s in QueueSort} else QueueSort.PRIORITY
    descending = direction == "desc"
    rows_per_page = desk.per_page_choice(per_page)
    now = utcnow()
    pages, rows = desk.paged(
        lambda limit, offset: repository.case_queue(
            db,
            actor=staff,
            query=query,
            sort=order,
            descending=descending,
            limit=limit,
            offset=offset,
            now=now,
        ),
        desk.page_number(page),
        rows_per_page,
    )
    assignee_param = "mine" if assignee == "mine" else ("none" if query.unassigned else None)
    params = {
        "category": query.category,
        "priority": query.priority.value if query.priority else None,
        "status": query.status or ANY,
        "sla": query.sla,
        "assignee": assignee_param or (str(assigned_to) if assigned_to else None),
        "representation": post,
        "sort": order.value,
        "dir": "desc" if descending else "asc",
        "per_page": rows_per_page if rows_per_page != desk.PER_PAGE_CHOICES[0] else None,
    }
    language = negotiate(request)
    return desk.page(
        request,
        "cases/pages/queue.html",
        staff,
        {
            "rows": rows,
            "pages": pages,
            "params": params,
            "url": desk.url_with(common.CASES, params),
            "case_cap": repository.PAGE_COUNT_CAP,
            "counts": repository.queue_counts(db, actor=staff, representation_code=post, now=now),
            "now": now,
            "sla_of": lambda case: workflow.sla_state(case, now),
            "names": repository.names_of(db, (row.assigned_officer_id for row in rows)),
            "people": repository.people_of_cases(
                db, actor=staff, case_ids=(row.id for row in rows)
            ),
            "officers": repository.officers_of(db, post or staff.representation_code),
            "categories": common.category_choices(language),
            "category_name": lambda code: common.category_name(code, language),
            "hq": hq,
            "posts": desk.representation_choices() if hq else [],
            "per_page_choices": desk.PER_PAGE_CHOICES,
        },
    )
