"""The work queue: self-reports to verify and possible duplicates, filtered, sorted, paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth import policy
from peduli.auth.roles import WORK_QUEUE_READERS
from peduli.reference import places
from peduli.registry import work_queue
from peduli.registry.models import Purpose, Sector, Verification
from peduli.registry.pages.staff import common
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.i18n import negotiate

router = APIRouter(include_in_schema=False, dependencies=[staff_page(WORK_QUEUE_READERS)])

Text = Annotated[str, Query(max_length=40)]
ALL = "all"


def _choice(value: str, allowed: type[Purpose] | type[Sector]) -> str | None:
    return value if value in {member.value for member in allowed} else None


def _verification(value: str) -> Verification | None:
    if value == ALL:
        return None
    try:
        return Verification(value)
    except ValueError:
        return Verification.UNVERIFIED


@router.get("/officer", response_class=HTMLResponse)
def verification_queue(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    country: Text = "",
    purpose: Text = "",
    sector: Text = "",
    verification: Text = Verification.UNVERIFIED.value,
    reported_from: Annotated[str, Query(alias="from", max_length=40)] = "",
    reported_to: Annotated[str, Query(alias="to", max_length=40)] = "",
    representation: Text = "",
    sort: Text = work_queue.QueueSort.REPORTED.value,
    direction: Annotated[str, Query(alias="dir", max_length=4)] = "desc",
    page: Annotated[str, Query(max_length=9)] = "1",
    per_page: Text = "",
    done: Text = "",
) -> Response:
    """New self-reports of my jurisdiction to verify, newest first, with the tab counts."""
    start, bad_start = desk.parse_day(reported_from)
    end, bad_end = desk.parse_day(reported_to)
    hq = policy.post_scope(staff).every_post
    filters = work_queue.QueueFilters(
        verification=_verification(verification),
        country=country.strip().upper()[:2] or None,
        purpose=_choice(purpose, Purpose),
        sector=_choice(sector, Sector),
        reported_from=start,
        reported_to=end,
        representation_code=(representation or None) if hq else None,
    )
    unfiltered = work_queue.QueueFilters(representation_code=filters.representation_code)
    order = (
        sort
        if sort in {s.value for s in work_queue.QueueSort}
        else work_queue.QueueSort.REPORTED.value
    )
    descending = direction != "asc"
    rows_per_page = desk.per_page_choice(per_page)
    pages, rows = desk.paged(
        lambda limit, offset: work_queue.self_reports(
            db,
            actor=staff,
            filters=filters,
            sort=work_queue.QueueSort(order),
            descending=descending,
            limit=limit,
            offset=offset,
        ),
        desk.page_number(page),
        rows_per_page,
    )
    params = {
        "country": filters.country,
        "purpose": filters.purpose,
        "sector": filters.sector,
        "verification": filters.verification.value if filters.verification else ALL,
        "from": reported_from.strip(),
        "to": reported_to.strip(),
        "representation": filters.representation_code,
        "sort": order,
        "dir": "desc" if descending else "asc",
        "per_page": rows_per_page if rows_per_page != desk.PER_PAGE_CHOICES[0] else None,
    }
    return desk.page(
        request,
        "officer/queue.html",
        staff,
        {
            **common.tab_counts(
                db,
                staff,
                filters.representation_code,
                # The list with no filter but the post is what the tab counts.
                to_verify=pages.total if filters == unfiltered else None,
            ),
            "rows": rows,
            "pages": pages,
            "params": params,
            "url": desk.url_with("/officer", params),
            "bad_dates": {name for name, bad in (("from", bad_start), ("to", bad_end)) if bad},
            "hq": hq,
            "countries": places.country_choices(negotiate(request)),
            "posts": desk.representation_choices() if hq else [],
            "per_page_choices": desk.PER_PAGE_CHOICES,
            "done": done,
        },
    )


@router.get("/officer/duplicates", response_class=HTMLResponse)
def duplicate_queue(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    representation: Text = "",
    page: Annotated[str, Query(max_length=9)] = "1",
    done: Text = "",
) -> Response:
    """Possible duplicates of my jurisdiction to merge or dismiss, newest first."""
    return common.post_queue_tab(
        request,
        db,
        staff,
        template="officer/duplicates.html",
        path="/officer/duplicates",
        fetch=lambda post, limit, offset: work_queue.duplicates(
            db, actor=staff, representation_code=post, limit=limit, offset=offset
        ),
        representation=representation,
        page_wanted=page,
        done=done,
    )
