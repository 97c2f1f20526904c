"""The immigration adapter (Imigrasi): a passport's status and its recent border crossings,
asked through the gateway (envelope, message log, breaker, cache) and read into typed answers.

A 404 is an answer ("no passport of this number"), any other refusal or an answer of the
wrong shape is ``AgencyRefused``; an agency that does not answer is ``AgencyUnavailable``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from peduli.agencies import gateway
from peduli.agencies.envelope import Purpose
from peduli.agencies.gateway import AgencyRefused
from peduli.agencies.travel_models import PassportStatus

AGENCY = "immigration"
STATUS_OPERATION = "v1/passports/status"
CROSSINGS_OPERATION = "v1/crossings"
KEEP_ANSWERS = timedelta(minutes=10)  # a second check soon after needs no second call
NOT_FOUND = 404


@dataclass(frozen=True)
class PassportAnswer:
    """What immigration says of one passport."""

    status: PassportStatus
    issued_on: date | None = None
    expires_on: date | None = None
    status_since: date | None = None
    replaced_by: str | None = None
    date_of_birth_match: bool | None = None


@dataclass(frozen=True)
class CrossingAnswer:
    """One border crossing."""

    at: datetime
    direction: str
    port: str
    country: str


@dataclass(frozen=True)
class Question:
    """Why and for whom an agency is asked (the envelope's content)."""

    purpose: Purpose
    cause: str
    actor: str
    person_id: uuid.UUID | None = None


def passport_status(
    session: Session, *, passport_number: str, date_of_birth: date | None, question: Question
) -> PassportAnswer:
    """The status of ``passport_number`` (``NOT_FOUND`` when immigration knows none)."""
    request: dict[str, Any] = {"passport_number": passport_number}
    if date_of_birth is not None:
        request["date_of_birth"] = date_of_birth.isoformat()
    try:
        answer = _call(session, STATUS_OPERATION, request, question)
    except AgencyRefused as refused:
        if refused.answer_status == NOT_FOUND and not refused.malformed:
            return PassportAnswer(status=PassportStatus.NOT_FOUND)
        raise
    return read_status(answer)


def crossings(
    session: Session, *, passport_number: str, since: date, question: Question
) -> list[CrossingAnswer] | None:
    """The passport's crossings since ``since``, oldest first (None: passport unknown)."""
    request = {"passport_number": passport_number, "since": since.isoformat()}
    try:
        answer = _call(session, CROSSINGS_OPERATION, request, question)
    except AgencyRefused as refused:
        if refused.answer_status == NOT_FOUND and not refused.malformed:
            return None
        raise
    return read_crossings(answer)


def _call(
    session: Session, operation: str, request: Mapping[str, Any], question: Question
) -> Mapping[str, Any]:
    return gateway.call(
        session,
        agency=AGENCY,
        operation=operation,
        request=request,
        purpose=question.purpose,
        cause=question.cause,
        actor=question.actor,
        person_id=question.person_id,
        cache_for=KEEP_ANSWERS,
    )


def malformed(reason: str, agency: str = AGENCY) -> AgencyRefused:
    """The refusal for an answer that is JSON but not of the agency's documented shape."""
    return AgencyRefused(agency, status=200, reason=reason, malformed=True)


def day(answer: Mapping[str, Any], key: str, *, required: bool = False) -> date | None:
    """A ``YYYY-MM-DD`` field of an answer (None when absent and not required)."""
    value = answer.get(key)
    if value is None and not required:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise malformed(f"{key} is not a date") from None


def read_status(answer: Mapping[str, Any]) -> PassportAnswer:
    """A status answer, checked field by field."""
    try:
        status = PassportStatus(str(answer.get("status")))
    except ValueError:
        raise malformed("unknown passport status") from None
    if status == PassportStatus.NOT_FOUND:
        raise malformed("not_found is answered with 404")
    replaced_by = answer.get("replaced_by")
    if status == PassportStatus.REPLACED and not isinstance(replaced_by, str):
        raise malformed("a replaced passport names its successor")
    match = answer.get("date_of_birth_match")
    return PassportAnswer(
        status=status,
        issued_on=day(answer, "issued_on"),
        expires_on=day(answer, "expires_on"),
        status_since=day(answer, "status_since"),
        replaced_by=replaced_by if isinstance(replaced_by, str) else None,
        date_of_birth_match=match if isinstance(match, bool) else None,
    )


def read_crossings(answer: Mapping[str, Any]) -> list[CrossingAnswer]:
    """A crossings answer, checked row by row, oldest first."""
    rows = answer.get("crossings")
    if not isinstance(rows, list):
        raise malformed("crossings is not a list")
    found = []
    for row in rows:
        try:
            at = datetime.fromisoformat(str(row["at"]))
            direction, port, country = str(row["direction"]), str(row["port"]), str(row["country"])
        except (KeyError, TypeError, ValueError):
            raise malformed("a crossing lacks at, direction, port or country") from None
        if at.tzinfo is None or direction not in {"exit", "entry"} or len(country) != 2:
            raise malformed("a crossing's time, direction or country is not as documented")
        found.append(CrossingAnswer(at, direction, port[:8], country.upper()))
    return sorted(found, key=lambda c: c.at)
