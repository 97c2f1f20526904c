"""BP2MI's list of licensed placement agencies (P3MI), kept in ``licensed_agency`` by a
periodic job, and the licence state of an agency known by licence number or only by name (a
self-report records the name)."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from peduli.agencies import bp2mi
from peduli.agencies.gateway import AgencyRefused, AgencyUnavailable
from peduli.agencies.travel_models import AgencyStanding, LicenceState, LicensedAgency
from peduli.core.db import insert_on_conflict
from peduli.core.logging import get_logger
from peduli.core.periodic import PeriodicTask

log = get_logger(__name__)
WORKER = "peduli-worker"
_LEGAL_FORMS = re.compile(r"\b(pt|cv|tbk|persero)\b\.?")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    """An agency name folded for comparison: lower case, no legal form, no punctuation."""
    folded = _LEGAL_FORMS.sub(" ", name.lower())
    return " ".join(_NOT_WORD.sub(" ", folded).split())[:200]


def refresh(session: Session, now: datetime) -> int:
    """Replace the stored list with BP2MI's (one upsert of every row, one delete of the rows
    no longer listed); how many agencies are listed. An agency that does not answer leaves
    the stored list as it was (its outage is in the message log)."""
    try:
        listed = bp2mi.licensed_agencies(session, actor=WORKER)
    except (AgencyUnavailable, AgencyRefused) as error:
        log.warning("licence list not refreshed", error=error.code)
        return 0
    if listed:
        statement = insert_on_conflict(session, LicensedAgency)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["licence"],
                set_={
                    column: getattr(statement.excluded, column)
                    for column in ("name", "name_key", "status", "revoked_on", "refreshed_at")
                },
            ),
            [
                {
                    "licence": a.licence,
                    "name": a.name,
                    "name_key": name_key(a.name),
                    "status": a.status.value,
                    "revoked_on": a.revoked_on,
                    "refreshed_at": now,
                }
                for a in {a.licence: a for a in listed}.values()
            ],
        )
    session.execute(
        delete(LicensedAgency)
        .where(LicensedAgency.refreshed_at < now)
        .execution_options(synchronize_session=False)
    )
    return len(listed)


def list_known(session: Session) -> bool:
    """Whether the licence list was ever fetched (otherwise no agency can be judged)."""
    return bool(session.scalar(select(exists().where(LicensedAgency.licence.is_not(None)))))


def states_by_licence(session: Session, licences: Collection[str]) -> dict[str, LicenceState]:
    """The state of each licence number (unlisted when the list lacks it)."""
    rows = session.execute(
        select(LicensedAgency.licence, LicensedAgency.status).where(
            LicensedAgency.licence.in_(set(licences))
        )
    ).all()
    found = {licence: LicenceState(status) for licence, status in rows}
    return {licence: found.get(licence, LicenceState.UNLISTED) for licence in licences}


def states_by_name(session: Session, names: Collection[str]) -> dict[str, AgencyStanding]:
    """The listed agency of each name (folded), for names a self-report gave."""
    keys = {name_key(n): n for n in names}
    rows = session.execute(
        select(LicensedAgency.name_key, LicensedAgency.licence, LicensedAgency.status)
        .where(LicensedAgency.name_key.in_(keys))
        .order_by(LicensedAgency.name_key, func.lower(LicensedAgency.status))
    ).all()
    found: dict[str, AgencyStanding] = {}
    for key, licence, status in rows:
        # An active licence under the same name wins over a revoked one.
        if keys[key] not in found or status == LicenceState.ACTIVE:
            found[keys[key]] = AgencyStanding(licence, LicenceState(status))
    return {name: found.get(name, AgencyStanding(None, LicenceState.UNLISTED)) for name in names}


# BP2MI publishes licence decisions a few times a month; four refreshes a day keep up.
PERIODIC_TASK = PeriodicTask("refresh-licensed-agencies", 6 * 3600, run=refresh, slow=True)
