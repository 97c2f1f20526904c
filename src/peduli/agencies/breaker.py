"""The circuit breaker of each agency, kept in the database so every worker shares it.

Closed: calls go through; ``agency_breaker_failures`` failures in a row open it for
``agency_breaker_open_seconds``. Open: calls are refused at once with the time to try again.
Half-open (the open time is over): one worker takes a lease and makes a trial call; its
success closes the breaker, its failure opens it again. Each change is one conditional
statement, so two workers never both take the trial call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from peduli.agencies.models import AgencyBreaker
from peduli.core.config import get_settings
from peduli.core.db import insert_on_conflict


@dataclass(frozen=True)
class Gate:
    """Whether a call may go now; if not, when to try again."""

    allowed: bool
    retry_at: datetime | None = None
    trial: bool = False  # the half-open trial call
    closed_clean: bool = False  # closed with no failure counted: a success changes nothing


def _ensure(session: Session, agency: str, now: datetime) -> None:
    session.execute(
        insert_on_conflict(session, AgencyBreaker)
        .values(agency=agency, failures=0, changed_at=now)
        .on_conflict_do_nothing(index_elements=["agency"])
    )


def state(session: Session, agency: str) -> AgencyBreaker | None:
    """The breaker row as stored (None: never used)."""
    return session.scalars(
        select(AgencyBreaker)
        .where(AgencyBreaker.agency == agency)
        .execution_options(populate_existing=True)
    ).first()


def admit(session: Session, agency: str, *, now: datetime, lease: timedelta) -> Gate:
    """May a call to ``agency`` go now? Takes the trial lease when the breaker half-opens."""
    row = state(session, agency)
    if row is None or row.opened_until is None:
        return Gate(True, closed_clean=row is None or row.failures == 0)
    if now < row.opened_until:
        return Gate(False, row.opened_until)
    taken = session.execute(
        update(AgencyBreaker)
        .where(
            AgencyBreaker.agency == agency,
            AgencyBreaker.opened_until == row.opened_until,
            (AgencyBreaker.probe_until.is_(None)) | (AgencyBreaker.probe_until < now),
        )
        .values(probe_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        return Gate(True, trial=True)
    return Gate(False, now + lease)


def succeeded(session: Session, agency: str, *, now: datetime) -> None:
    """A call answered: the breaker closes (one write only when it was not closed)."""
    session.execute(
        update(AgencyBreaker)
        .where(
            AgencyBreaker.agency == agency,
            (AgencyBreaker.failures > 0) | AgencyBreaker.opened_until.is_not(None),
        )
        .values(failures=0, opened_until=None, probe_until=None, changed_at=now)
        .execution_options(synchronize_session=False)
    )


def failed(
    session: Session, agency: str, *, now: datetime, reason: str, hold: timedelta | None = None
) -> datetime | None:
    """A call found the agency unavailable: count it; open the breaker after enough failures
    in a row, or again at once after a failed trial call. ``hold`` (an agency's own
    Retry-After or maintenance end) opens it until then. Answers until when it is open."""
    settings = get_settings()
    _ensure(session, agency, now)
    opened = now + max(
        timedelta(seconds=settings.agency_breaker_open_seconds), hold or timedelta(0)
    )
    reopen = (AgencyBreaker.failures + 1 >= settings.agency_breaker_failures) | (
        AgencyBreaker.opened_until.is_not(None)
    )
    until = opened if hold is not None else case((reopen, opened), else_=AgencyBreaker.opened_until)
    session.execute(
        update(AgencyBreaker)
        .where(AgencyBreaker.agency == agency)
        .values(
            failures=AgencyBreaker.failures + 1,
            opened_until=until,
            probe_until=None,
            last_failure=reason[:200],
            changed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    row = state(session, agency)
    return row.opened_until if row else None
