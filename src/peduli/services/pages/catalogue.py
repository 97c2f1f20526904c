"""The catalogue's staff pages: HQ revises a service (each save a new version, with the
differences between versions) and keeps the dated exchange-rate table; a post's supervisor
writes the post's local notes, the only thing a post may add to the standard."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel import numbers
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import CATALOGUE_EDITORS, LOCAL_NOTE_EDITORS
from peduli.cases import outcomes
from peduli.core.errors import FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import LANGUAGES, Message, _, in_language
from peduli.services import catalogue, fees, revisions
from peduli.services.pages.common import helpers
from peduli.services.revisions import RequirementEdit, ServiceEdit
from peduli.services.schemas import ServiceDefinition
from peduli.web import desk, i18n
from peduli.web.desk import SignedIn
from peduli.web.forms import Refusal, only, run_form
from peduli.web.i18n import babel_locale

router = APIRouter(include_in_schema=False)
editors = APIRouter(dependencies=[staff_page(CATALOGUE_EDITORS)])
leaders = APIRouter(dependencies=[staff_page(LOCAL_NOTE_EDITORS)])
CATALOGUE = "/hq/catalogue"
RATES = "/hq/rates"
NOTES = "/officer/local-notes"
MAX_ROWS = 20
FIELD_NAMES: dict[str, Message] = {
    "fee_usd": _("Fee in US dollars"),
    "sla_working_days": _("Working days to issue"),
    "channel": _("How to apply"),
    "applying_for": _("Who may apply"),
    "name": _("Name"),
    "eligibility_id": _("Eligibility (Indonesian)"),
    "eligibility_en": _("Eligibility (English)"),
    "eligibility_zh": _("Eligibility (Chinese)"),
    "eligibility_fr": _("Eligibility (French)"),
    "requirement": _("Requirement"),
}


def _context(language: str) -> dict[str, Any]:
    documents, bringers = catalogue.vocabulary()
    return {
        "documents": sorted(
            ((code, texts.get(language)) for code, texts in documents.items()),
            key=lambda pair: pair[1],
        ),
        "bringers": [(code, texts.get(language)) for code, texts in bringers.items()],
        "edit_languages": LANGUAGES,
        "field_name": lambda key: (
            in_language(FIELD_NAMES[key], language) if key in FIELD_NAMES else key
        ),
        **helpers(language),
    }


@editors.get(CATALOGUE, response_class=HTMLResponse)
def catalogue_list(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Every service's current version: fee, time, channel; a link to revise each."""
    language = i18n.negotiate(request)
    return desk.page(
        request,
        "services/catalogue_hq.html",
        staff,
        {"entries": catalogue.current(db), **_context(language)},
    )


def _typed(entry: ServiceDefinition) -> tuple[dict[str, Any], list[RequirementEdit]]:
    """The form's fields as the current version fills them."""
    values: dict[str, Any] = {
        "fee_usd": f"{entry.fee_usd:.2f}",
        "sla_working_days": str(entry.sla_working_days),
        "channel": entry.channel.value,
        "applying_for": [a.value for a in entry.applying_for],
        "change_note": "",
    } | {f"eligibility_{lang}": entry.eligibility.get(lang) for lang in LANGUAGES}
    rows = [RequirementEdit(r.document, r.who, r.upload) for r in entry.requirements]
    return values, rows


def _edit_page(
    request: Request,
    db: Session,
    staff: Actor,
    code: str,
    *,
    edit: ServiceEdit | None = None,
    problems: dict[str, FieldProblem] | None = None,
) -> HTMLResponse:
    language = i18n.negotiate(request)
    version, entry = catalogue.current_of(db, code)
    values, rows = _typed(entry)
    if edit is not None:
        values = {
            "fee_usd": edit.fee_usd,
            "sla_working_days": edit.sla_working_days,
            "channel": edit.channel,
            "applying_for": list(edit.applying_for),
            "change_note": edit.change_note,
        } | {f"eligibility_{lang}": edit.eligibility.get(lang, "") for lang in LANGUAGES}
        rows = list(edit.requirements)
    return desk.page(
        request,
        "services/service_edit.html",
        staff,
        {
            "code": code,
            "version": version,
            "entry": entry,
            "values": values,
            # The rows and one empty row to add a requirement.
            "rows": [*rows[:MAX_ROWS], RequirementEdit("", "applicant", True)],
            "problems": problems or {},
            "done": request.query_params.get("done"),
            **_context(language),
        },
        status_code=422 if problems else 200,
    )


@editors.get(CATALOGUE + "/{code}", response_class=HTMLResponse)
def service_form(request: Request, code: str, db: DbSession, staff: SignedIn) -> Response:
    """One service's standard as HQ revises it."""
    return _edit_page(request, db, staff, code[:40])


def _edit_of(form: FormData) -> ServiceEdit:
    def text(key: str, limit: int = 1100) -> str:
        value = form.get(key)
        return value[:limit] if isinstance(value, str) else ""

    rows = tuple(
        RequirementEdit(
            text(f"requirement_{n}_document", 40),
            text(f"requirement_{n}_who", 40),
            text(f"requirement_{n}_upload", 3) == "yes",
        )
        for n in range(MAX_ROWS + 1)
        if f"requirement_{n}_document" in form
    )
    return ServiceEdit(
        fee_usd=text("fee_usd", 20),
        sla_working_days=text("sla_working_days", 10),
        channel=text("channel", 20),
        applying_for=tuple(str(v)[:20] for v in form.getlist("applying_for")),
        eligibility={lang: text(f"eligibility_{lang}") for lang in LANGUAGES},
        requirements=rows,
        change_note=text("change_note", 600),
    )


@editors.post(CATALOGUE + "/{code}", response_class=HTMLResponse)
async def revise(request: Request, code: str, db: DbSession, staff: SignedIn) -> Response:
    """Publish the form as the service's next version."""
    edit = _edit_of(await request.form())
    code = code[:40]
    return run_form(
        db,
        lambda: revisions.revise(db, code=code, edit=edit, actor=staff),
        done=lambda row: RedirectResponse(
            f"{CATALOGUE}/{code}/versions?done={row.version}", status_code=303
        ),
        refused=lambda refusal: _edit_page(
            request, db, staff, code, edit=edit, problems=refusal.problems
        ),
        refuses=only(ValidationFailed),
    )


@editors.get(CATALOGUE + "/{code}/versions", response_class=HTMLResponse)
def versions(request: Request, code: str, db: DbSession, staff: SignedIn) -> Response:
    """Every version of one service, newest first, each with what changed from the one before."""
    language = i18n.negotiate(request)
    found = revisions.versions(db, code[:40])
    history = [
        (
            row,
            revisions.differences(found[n + 1][1], entry, language) if n + 1 < len(found) else [],
        )
        for n, (row, entry) in enumerate(found)
    ]
    return desk.page(
        request,
        "services/service_versions.html",
        staff,
        {
            "code": code[:40],
            "name": found[0][1].name.get(language),
            "history": history,
            "done": request.query_params.get("done"),
            **_context(language),
        },
    )


def _rates_page(
    request: Request,
    db: Session,
    staff: Actor,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, FieldProblem] | None = None,
) -> HTMLResponse:
    language = i18n.negotiate(request)
    return desk.page(
        request,
        "services/rates.html",
        staff,
        {
            "rates": outcomes.rate_table(db),
            "currencies": fees.currencies(),
            "values": values or {"rate_date": date.today().isoformat()},
            "problems": problems or {},
            "done": request.query_params.get("done"),
            "currency_name": lambda code: numbers.get_currency_name(
                code, locale=babel_locale(language)
            ),
            **helpers(language),
        },
        status_code=422 if problems else 200,
    )


@editors.get(RATES, response_class=HTMLResponse)
def rates(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """The dated exchange-rate table (rupiah per unit) the fees are converted with."""
    return _rates_page(request, db, staff)


@editors.post(RATES, response_class=HTMLResponse)
async def add_rate(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Add or correct one dated rate."""
    form = await request.form()
    values = {
        key: str(form.get(key) or "")[:40] for key in ("currency", "rate_date", "idr_per_unit")
    }
    return run_form(
        db,
        lambda: fees.record_rate(db, **values, actor=staff),
        done=f"{RATES}?done=1",
        refused=lambda refusal: _rates_page(
            request, db, staff, values=values, problems=refusal.problems
        ),
        refuses=only(ValidationFailed),
    )


def _post_of(request: Request, staff: Actor) -> str | None:
    """The supervisor's own post; the post HQ chose."""
    chosen = request.query_params.get("post") or None
    return staff.representation_code or (chosen[:64] if chosen else None)


def _notes_page(
    request: Request,
    db: Session,
    staff: Actor,
    post: str | None,
    *,
    typed: tuple[str, str] | None = None,
    problems: dict[str, FieldProblem] | None = None,
) -> HTMLResponse:
    language = i18n.negotiate(request)
    notes = catalogue.local_notes(db, post) if post else {}
    if typed:
        notes = notes | {typed[0]: typed[1]}
    return desk.page(
        request,
        "services/local_notes.html",
        staff,
        {
            "post": post,
            "posts": desk.representation_choices() if not staff.representation_code else [],
            "entries": catalogue.current(db) if post else [],
            "notes": notes,
            "problems": problems or {},
            "problem_code": typed[0] if typed else None,
            "done": request.query_params.get("done"),
            **helpers(language),
        },
        status_code=422 if problems else 200,
    )


@leaders.get(NOTES, response_class=HTMLResponse)
def local_notes(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """The post's notes on each service (where to queue, opening days), beside the standard."""
    return _notes_page(request, db, staff, _post_of(request, staff))


@leaders.post(NOTES + "/{code}", response_class=HTMLResponse)
async def save_note(request: Request, code: str, db: DbSession, staff: SignedIn) -> Response:
    """Save (or, empty, remove) the post's note on one service."""
    form = await request.form()
    note, post = str(form.get("note") or "")[:2100], _post_of(request, staff)
    code = code[:40]

    def save() -> None:
        if post is None:
            raise NotFound(_("There is no such representation for you."))
        catalogue.set_local_note(
            db, representation_code=post, service_code=code, note=note, actor=staff
        )

    def refused(refusal: Refusal) -> Response:
        return _notes_page(request, db, staff, post, typed=(code, note), problems=refusal.problems)

    query = f"?post={post}&" if not staff.representation_code and post else "?"
    return run_form(
        db, save, done=f"{NOTES}{query}done={code}", refused=refused, refuses=only(ValidationFailed)
    )


router.include_router(editors)
router.include_router(leaders)
