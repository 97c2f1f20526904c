"""The lapor diri form as steps: read what a citizen typed, and say what to fix, per step.

Pages post plain strings. This module turns them into a ``SelfReportCreate`` (or a
``StayUpdate``) and lists the problems of the fields a step shows: first the form's own
(empty, not a date, not a number; codes ``form.*`` that the templates word), then the
registry's rules from ``validation`` — the same ones the service applies on submit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from peduli.core.errors import FieldProblem
from peduli.reference.profile import get_profile
from peduli.registry import validation
from peduli.registry.schemas import SelfReportCreate, StayUpdate

STEPS: dict[int, tuple[str, ...]] = {
    1: ("full_name", "date_of_birth", "sex", "nik", "passport_number", "place_of_birth"),
    2: ("country", "city", "address", "latitude", "longitude"),
    3: ("purpose", "sector", "employer", "placement_agency", "arrival_date", "planned_end_date"),
    4: (
        "phone",
        "email",
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relation",
        "consent",
    ),
    5: (),  # review and submit
}
LAST_STEP = max(STEPS)
REPORT_FIELDS = tuple(name for fields in STEPS.values() for name in fields)
STAY_FIELDS = STEPS[2] + STEPS[3]
REQUIRED = frozenset(
    {"full_name", "date_of_birth", "sex", "country", "city", "purpose", "arrival_date"}
)
DATE_FIELDS = frozenset({"date_of_birth", "arrival_date", "planned_end_date", "departed_on"})
# A registry rule on a field also reads these; it is only checked once they are readable.
DEPENDS_ON = {
    "nik": {"date_of_birth", "sex"},
    "phone": {"country"},
    "latitude": {"country"},
    "longitude": {"country"},
    "planned_end_date": {"arrival_date"},
    "sector": {"purpose"},
}
# Stand-ins for unreadable required fields, so the rules of the other fields can run.
_STAND_INS: dict[str, Any] = {
    "full_name": "-",
    "date_of_birth": date(1990, 1, 1),
    "sex": "M",
    "country": "KR",
    "city": "-",
    "purpose": "other",
}
_FORM_CODES = {
    "missing": "form.required",
    "string_too_short": "form.required",
    "string_too_long": "form.too_long",
    "float_parsing": "form.number",
    "float_type": "form.number",
    "greater_than_equal": "form.number",
    "less_than_equal": "form.number",
    "literal_error": "form.choice",
    "enum": "form.choice",
}
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def step_of(field: str) -> int:
    """The step that shows ``field`` (the review step for fields no step shows)."""
    return next((step for step, fields in STEPS.items() if field in fields), LAST_STEP)


def _parse_date(text: str) -> date | str:
    """ISO dates (what date pickers send) or day/month/year typed by hand."""
    match = _DAY_FIRST.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return text
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def _clean(draft: dict[str, str], fields: tuple[str, ...]) -> dict[str, Any]:
    """Strings as typed, trimmed; empty ones left out; dates read; consent as a boolean."""
    values: dict[str, Any] = {}
    for name in fields:
        text = (draft.get(name) or "").strip()
        if name == "consent":
            values[name] = text == "yes"
        elif name in DATE_FIELDS and text:
            values[name] = _parse_date(text)
        elif text:
            values[name] = text
    return values


def _form_problems(model: type[BaseModel], values: dict[str, Any]) -> dict[str, FieldProblem]:
    """The form's own problems: unreadable or missing values, one per field."""
    problems: dict[str, FieldProblem] = {}
    try:
        model.model_validate(values)
    except ValidationError as error:
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else ""
            code = "form.date" if name in DATE_FIELDS else _FORM_CODES.get(item["type"], "form.bad")
            if name == "email":
                code = "form.email"  # EmailStr's reasons are library English: ours instead
            problems.setdefault(name, FieldProblem(name, code, ""))
    return problems


@dataclass(frozen=True)
class Checked:
    """A read draft: the report when every field is valid, and the problems by field."""

    report: SelfReportCreate | None
    problems: dict[str, FieldProblem]

    def for_step(self, step: int) -> dict[str, FieldProblem]:
        """The problems of the fields ``step`` shows (all of them on the review step)."""
        if step == LAST_STEP:
            return self.problems
        return {name: p for name, p in self.problems.items() if step_of(name) == step}

    @property
    def first_step_to_fix(self) -> int | None:
        """The earliest step with a problem, where the citizen is sent back to."""
        return min((step_of(name) for name in self.problems), default=None)


def check_report(draft: dict[str, str], *, language: str, today: date) -> Checked:
    """Read every step of a lapor diri draft; the registry's rules run on readable fields."""
    values = _clean(draft, REPORT_FIELDS) | {"language": language}
    problems = _form_problems(SelfReportCreate, values)
    if not values.get("consent"):
        problems.setdefault("consent", FieldProblem("consent", "form.consent", ""))
    unreadable = set(problems) | (REQUIRED - set(values))
    usable = {k: v for k, v in values.items() if k not in unreadable}
    stand_in = SelfReportCreate.model_validate(
        {"arrival_date": today} | {k: v for k, v in _STAND_INS.items() if k in unreadable} | usable
    )
    _identity, rule_problems = validation.identity_problems(stand_in, get_profile(), today=today)
    for problem in rule_problems + validation.stay_problems(stand_in, today=today):
        if (
            problem.field not in unreadable
            and not DEPENDS_ON.get(problem.field, set()) & unreadable
        ):
            problems.setdefault(problem.field, problem)
    report = None if problems else SelfReportCreate.model_validate(values)
    return Checked(report=report, problems=problems)


def check_stay_update(draft: dict[str, str]) -> tuple[StayUpdate | None, dict[str, FieldProblem]]:
    """Read the "update my stay" form: every stay field is sent; empty optional ones clear."""
    values = _clean(draft, STAY_FIELDS)
    problems = _form_problems(StayUpdate, values)
    for name in ("country", "city", "purpose", "arrival_date"):
        if name not in values:
            problems.setdefault(name, FieldProblem(name, "form.required", ""))
    if problems:
        return None, problems
    cleared = {name: None for name in STAY_FIELDS if name not in values}
    return StayUpdate.model_validate(cleared | values), {}


def check_departure(text: str) -> tuple[date | None, FieldProblem | None]:
    """Read the day a citizen left."""
    if not text.strip():
        return None, FieldProblem("departed_on", "form.required", "")
    parsed = _parse_date(text.strip())
    if isinstance(parsed, str):
        return None, FieldProblem("departed_on", "form.date", "")
    return parsed, None
