"""The committee's pages: the elections with the post's lists (HQ: every post's, and new
elections and rounds), and one post's list with its counts, the checks' problems and their
resolution, the changes since the previous round, the voters (opened, audited) with their
voting method, fixing and the export."""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import ELECTION_ORGANISERS, VOTER_LIST_FIXERS, VOTER_LIST_KEEPERS
from peduli.core.errors import FieldProblem, PeduliError
from peduli.elections import access, checks, generation, repository, roll, service, workflow
from peduli.elections.models import Method
from peduli.elections.pages.names import helpers
from peduli.elections.schemas import ElectionCreate, MethodUpdate
from peduli.web import desk, i18n
from peduli.web.desk import SignedIn
from peduli.web.forms import Refusal, run_form

router = APIRouter(include_in_schema=False)
keepers = APIRouter(dependencies=[staff_page(VOTER_LIST_KEEPERS)])
organisers = APIRouter(dependencies=[staff_page(ELECTION_ORGANISERS)])
fixers = APIRouter(dependencies=[staff_page(VOTER_LIST_FIXERS)])
ELECTIONS = "/officer/elections"
PER_PAGE = 50


def _elections_page(
    request: Request,
    db: Session,
    staff: Actor,
    problems: dict[str, FieldProblem] | None = None,
    values: dict[str, str] | None = None,
    failure: PeduliError | None = None,
) -> HTMLResponse:
    found = [
        (e, [(v, repository.summary(db, v)) for v in repository.lists_of_round(
            db, election_id=e.id, where=access.kept_here(staff))])
        for e in repository.elections(db)
    ]  # fmt: skip
    return desk.page(
        request, "elections/elections.html", staff,
        {"elections": found, "problems": problems or {}, "values": values or {},
         "failure": failure, "organiser": staff.role in ELECTION_ORGANISERS,
         "done": request.query_params.get("done"), **helpers(i18n.negotiate(request))},
        status_code=(failure.status if failure else 422) if (problems or failure) else 200,
    )  # fmt: skip


@keepers.get(ELECTIONS, response_class=HTMLResponse)
def elections(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """The elections and the current round of my post's list (HQ: every post's)."""
    return _elections_page(request, db, staff)


@organisers.post(ELECTIONS, response_class=HTMLResponse)
async def create_election(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Declare an election day (HQ)."""
    form = await request.form()
    values = {k: str(form.get(k) or "")[:200] for k in ("name", "election_day")}

    def act() -> object:
        day = desk.parse_day(values["election_day"])[0]
        data = ElectionCreate.model_validate({"name": values["name"], "election_day": day})
        return service.create_election(db, data=data, actor=staff)

    return run_form(
        db,
        act,
        done=f"{ELECTIONS}?done=created",
        refused=lambda r: _elections_page(request, db, staff, r.problems, values, r.failure),
    )


@organisers.post(ELECTIONS + "/{election_id}/generate", response_class=HTMLResponse)
def generate(request: Request, election_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """Generate a new round of every post's list (HQ)."""
    return run_form(
        db,
        lambda: generation.generate(db, election_id=election_id, actor=staff),
        done=f"{ELECTIONS}?done=generated",
        refused=lambda r: _elections_page(request, db, staff, r.problems, None, r.failure),
    )


def _list_url(election_id: uuid.UUID, post: str | None, **extra: str) -> str:
    query = {k: v for k, v in {"representation": post or "", **extra}.items() if v}
    return f"{ELECTIONS}/{election_id}" + (f"?{urlencode(query)}" if query else "")


def _post(request: Request) -> str | None:
    return (request.query_params.get("representation") or "")[:40] or None


def _list_page(
    request: Request,
    db: Session,
    staff: Actor,
    election_id: uuid.UUID,
    refusal: Refusal | None = None,
    form: str = "",
) -> HTMLResponse:
    post = _post(request)
    election = access.election(db, election_id)
    page_no = desk.page_number(request.query_params.get("page"))
    offset = (page_no - 1) * PER_PAGE
    voter_list, total, voters = roll.page(
        db, staff, election_id=election_id, post=post, limit=PER_PAGE, offset=offset
    )
    code = voter_list.representation_code
    counts = repository.summary(db, voter_list)
    return desk.page(
        request, "elections/voter_list.html", staff,
        {
            "election": election, "list": voter_list, "counts": counts, "voters": voters,
            "pages": desk.clamp(page_no, PER_PAGE, total),
            "url": lambda page: _list_url(election_id, post, page=str(page)),
            "base": _list_url(election_id, post), "query": f"?representation={code}",
            "problems_found": repository.problems(db, list_id=voter_list.id),
            "changes": repository.changes(db, election_id=election_id, post=code,
                                          round_=voter_list.round),
            "places": repository.places(db, election_id=election_id, post=code),
            "committee": repository.committee(db, election_id=election_id, post=code),
            "actions": workflow.allowed_actions(workflow.State(voter_list.state),
                                                blocking_open=counts.blocking_open),
            "may_fix": staff.role in VOTER_LIST_FIXERS, "methods": list(Method),
            "refusal": refusal, "form": form, "done": request.query_params.get("done"),
            "today": date.today(), **helpers(i18n.negotiate(request)),
        },
        status_code=refusal.status if refusal else 200,
    )  # fmt: skip


@keepers.get(ELECTIONS + "/{election_id}", response_class=HTMLResponse)
def voter_list(
    request: Request, election_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """My post's list: counts, checks, changes, voters (opened, audited)."""
    return _list_page(request, db, staff, election_id)


def _refused(request: Request, db: Session, staff: Actor, election_id: uuid.UUID, form: str):  # type: ignore[no-untyped-def]
    return lambda refusal: _list_page(request, db, staff, election_id, refusal, form)


@keepers.post(ELECTIONS + "/{election_id}/checks", response_class=HTMLResponse)
def run_checks(
    request: Request, election_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """Run the checks on my post's list."""
    post = _post(request)
    return run_form(
        db,
        lambda: checks.run_checks(db, election_id=election_id, post=post, actor=staff),
        done=_list_url(election_id, post, done="checked"),
        refused=_refused(request, db, staff, election_id, "list"),
    )


@fixers.post(ELECTIONS + "/{election_id}/fix", response_class=HTMLResponse)
def fix(request: Request, election_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """Fix my post's list once no blocking problem is open."""
    post = _post(request)
    return run_form(
        db,
        lambda: checks.fix(db, election_id=election_id, post=post, actor=staff),
        done=_list_url(election_id, post, done="fixed"),
        refused=_refused(request, db, staff, election_id, "list"),
    )


@keepers.post(ELECTIONS + "/{election_id}/problems/{problem_id}", response_class=HTMLResponse)
async def resolve(
    request: Request, election_id: uuid.UUID, problem_id: int, db: DbSession, staff: SignedIn
) -> Response:
    """Resolve a problem: strike the entry, or confirm it with a note."""
    form = await request.form()
    note, strike = str(form.get("note") or "")[:200], form.get("outcome") == "strike"
    return run_form(
        db,
        lambda: checks.resolve(
            db,
            election_id=election_id,
            problem_id=problem_id,
            strike=strike,
            note=note,
            actor=staff,
        ),
        done=_list_url(election_id, _post(request), done="resolved"),
        refused=_refused(request, db, staff, election_id, f"problem-{problem_id}"),
    )


@keepers.post(ELECTIONS + "/{election_id}/voters/{entry_id}/method", response_class=HTMLResponse)
async def change_method(
    request: Request, election_id: uuid.UUID, entry_id: int, db: DbSession, staff: SignedIn
) -> Response:
    """Set a voter's method and place."""
    form = await request.form()
    raw = {
        "method": str(form.get("method") or ""),
        "place_code": str(form.get("place_code") or "")[:20] or None,
    }

    def act() -> object:
        data = MethodUpdate.model_validate(raw)
        return service.change_method(db, election_id=election_id, entry_id=entry_id, data=data,
                                     actor=staff)  # fmt: skip

    return run_form(
        db,
        act,
        done=_list_url(election_id, _post(request), done="method"),
        refused=_refused(request, db, staff, election_id, f"voter-{entry_id}"),
    )


router.include_router(keepers)
router.include_router(organisers)
router.include_router(fixers)
