"""HQ's outcome figures: cases resolved, people saved from the death penalty, money recovered
(IDR) and hostages freed, per period and representation, read from the maintained aggregates
(``cases.stats``), never from a scan of the cases. Officers see their own post's figures.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Role
from peduli.auth.roles import NATIONAL_STATS_READERS, STATS_READERS
from peduli.cases import stats
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, PeduliError
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import run_form

router = APIRouter(include_in_schema=False, dependencies=[staff_page(STATS_READERS)])

OUTCOMES = "/hq/outcomes"
Text = Annotated[str, Query(max_length=64)]


@router.get(OUTCOMES, response_class=HTMLResponse)
def outcome_figures(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    date_from: Annotated[str, Query(alias="from", max_length=40)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=40)] = "",
    representation: Text = "",
) -> Response:
    """The four headline figures for a period, in total and per representation."""
    national = staff.role in NATIONAL_STATS_READERS
    start, bad_start = desk.parse_day(date_from)
    end, bad_end = desk.parse_day(date_to)
    problems = {
        name: FieldProblem(name, "form.date_parsing", "")
        for name, bad in (("from", bad_start), ("to", bad_end))
        if bad
    }
    post = (representation or None) if national else None
    today = utcnow().date()
    presets = [
        ("year", date(today.year, 1, 1), today),
        ("last_year", date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        ("month", today.replace(day=1), today),
    ]

    def shown(
        figures: stats.OutcomeStats | None,
        problems: dict[str, FieldProblem],
        failure: PeduliError | None = None,
    ) -> HTMLResponse:
        return desk.page(
            request,
            "cases/pages/outcomes.html",
            staff,
            {
                "figures": figures,
                "problems": problems,
                "failure": failure,
                "params": {
                    "from": date_from.strip() or (figures.date_from.isoformat() if figures else ""),
                    "to": date_to.strip() or (figures.date_to.isoformat() if figures else ""),
                    "representation": post,
                },
                "national": national,
                "own_post": None if national else staff.representation_code,
                "posts": desk.representation_choices() if national else [],
                "presets": presets,
                "is_hq_admin": staff.role == Role.HQ_ADMIN,
            },
            status_code=422 if problems or failure else 200,
        )

    if problems:
        return shown(None, problems)
    return run_form(
        db,
        lambda: stats.read_outcome_stats(
            db, actor=staff, date_from=start, date_to=end, representation=post
        ),
        done=lambda figures: shown(figures, {}),
        refused=lambda refusal: shown(None, refusal.problems, refusal.failure),
        refuses=lambda error: error.status != 403,  # a refused reader gets the 403 page
    )
