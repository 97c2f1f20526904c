"""Crisis use-cases: declare (by hand or from CAP), read, activate, close, count the audience.

Who may do each (and whose people a caller counts) is ``crisis.access``.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core import events
from peduli.core.db import is_postgres, joins_by_index_lookup, utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.crisis import access, cap, targeting, workflow
from peduli.crisis import area as areas
from peduli.crisis.models import Crisis, CrisisCell, CrisisEdge, CrisisStatus
from peduli.crisis.schemas import Audience, CrisisCreate, CrisisRead
from peduli.reference.profile import get_profile
from peduli.reference.representations import load_directory
from peduli.registry.models import Stay

CELL_BATCH = 10_000


def _known_posts() -> set[str]:
    directory = load_directory(get_profile().representations_resource)
    return {r.code for r in directory.all()}


def _check_posts(codes: Sequence[str]) -> list[str]:
    known = _known_posts()
    problems = [
        FieldProblem(
            field=f"representation_codes[{i}]",
            code="unknown_representation",
            message=_("There is no representation with the code {code}.").format(code=code[:40]),
        )
        for i, code in enumerate(codes)
        if code not in known
    ]
    if problems:
        raise ValidationFailed(problems)
    return sorted(set(codes))


def declare(
    session: Session,
    *,
    body: CrisisCreate,
    actor: Actor,
    status: CrisisStatus = CrisisStatus.ACTIVE,
    alert: cap.CapDraft | None = None,
) -> Crisis:
    """Declare a crisis: store its area and covering cells, name the posts involved, audit.

    A crisis declared from a CAP ``alert`` (a file uploaded on the declare page) records the
    alert's sender and identifier, as an import through the API does: the same alert
    declared or imported again gives back the crisis it made.
    """
    access.require_declarer(session, actor, action="crisis.declare")
    known = _declared_from(session, alert) if alert is not None else None
    if known is not None:
        return known
    area = areas.parse_area(body.area)
    return _create(
        session,
        actor=actor,
        area=area,
        title=body.title,
        kind=body.kind,
        severity=body.severity,
        description=body.description,
        started_at=body.started_at.astimezone(UTC) if body.started_at else utcnow(),
        posts=body.representation_codes,
        status=status,
        cap_identifier=(alert.identifier or None) if alert else None,
        cap_sender=(alert.sender or None) if alert else None,
    )


def _create(
    session: Session,
    *,
    actor: Actor,
    area: areas.Area,
    title: str,
    kind: str,
    severity: str,
    description: str | None,
    started_at: datetime,
    posts: Sequence[str] | None,
    status: CrisisStatus,
    cap_identifier: str | None = None,
    cap_sender: str | None = None,
) -> Crisis:
    if posts is not None:
        posts = _check_posts(posts)
    posts = access.declared_posts(session, actor, posts)
    crisis = Crisis(
        id=uuid.uuid4(),
        title=title,
        description=description,
        kind=str(kind),
        severity=str(severity),
        status=status,
        started_at=started_at,
        area_kind=area.kind,
        area_geojson=areas.to_json(area),
        center_latitude=area.center[0] if area.center else None,
        center_longitude=area.center[1] if area.center else None,
        radius_km=area.radius_km,
        countries=",".join(area.countries) or None,
        subdivisions=",".join(area.subdivisions) or None,
        representation_codes=",".join(posts or []),
        created_by=actor.account_id,
        created_by_display=actor.display,
        cap_identifier=cap_identifier,
        cap_sender=cap_sender,
    )
    session.add(crisis)
    session.flush()
    _store_cover(session, crisis, area)
    if posts is None:
        crisis.representation_codes = ",".join(_involved_posts(session, crisis))
    audit.record(
        session,
        actor=actor,
        action="crisis.declare",
        entity_type="crisis",
        entity_id=str(crisis.id),
        fields=["title", "kind", "severity", "area", "status"],
    )
    if status == CrisisStatus.ACTIVE:
        _published(session, crisis)
    return crisis


def _published(session: Session, crisis: Crisis) -> None:
    """The ``crisis.declared`` event for subscribers: kind, severity, countries, posts."""
    events.record(
        session,
        event_type=events.EventType.CRISIS_DECLARED,
        subject_id=crisis.id,
        data={
            "kind": crisis.kind,
            "severity": crisis.severity,
            "title": crisis.title,
            "countries": crisis.countries,
            "posts": crisis.representation_codes,
        },
    )


def _store_cover(session: Session, crisis: Crisis, area: areas.Area) -> None:
    """Write the covering cells and ring edges, in batches (a 100 km circle: ~40,000 cells)."""
    cover = areas.cover(area)
    cells = [
        {"crisis_id": crisis.id, "h3_cell": cell, "inside": inside}
        for cell, inside in cover.cells.items()
    ]
    for start in range(0, len(cells), CELL_BATCH):
        session.execute(insert(CrisisCell), cells[start : start + CELL_BATCH])
    if cover.edges:
        session.execute(
            insert(CrisisEdge),
            [
                {"crisis_id": crisis.id, "x1": e.x1, "y1": e.y1, "x2": e.x2, "y2": e.y2}
                for e in cover.edges
            ],
        )
    if is_postgres(session) and cells:
        # Tens of thousands of new cells: without fresh statistics PostgreSQL expects a
        # handful and plans an index look-up per cell, ten times slower than a hash join.
        session.execute(text("ANALYZE crisis_cell"))


def _involved_posts(session: Session, crisis: Crisis) -> list[str]:
    query = targeting.audience(session, crisis, columns=(Stay.representation_code,)).distinct()
    with joins_by_index_lookup(session):
        codes = session.scalars(query).all()
    return sorted(code for code in codes if code)


def import_cap(session: Session, *, document: bytes, actor: Actor) -> tuple[Crisis, bool]:
    """Draft a crisis from a CAP 1.2 alert; an HQ admin or supervisor activates it.

    Returns the crisis and whether it is new: the same alert (sender and identifier)
    imported again, by a second feed or a retry, gives back the crisis it made.
    """
    access.require_declarer(session, actor, action="crisis.import_cap")
    draft = cap.parse(document)
    known = _declared_from(session, draft)
    if known is not None:
        return known, False
    crisis = _create(
        session,
        actor=actor,
        area=draft.area,
        title=draft.title,
        kind=draft.kind,
        severity=draft.severity,
        description=draft.description,
        started_at=draft.sent or utcnow(),
        posts=None,
        status=CrisisStatus.DRAFT,
        cap_identifier=draft.identifier or None,
        cap_sender=draft.sender or None,
    )
    return crisis, True


def _declared_from(session: Session, alert: cap.CapDraft) -> Crisis | None:
    """The crisis an alert (its sender and identifier) already made, if any."""
    if not (alert.identifier and alert.sender):
        return None
    return session.scalar(
        select(Crisis).where(
            Crisis.cap_sender == alert.sender, Crisis.cap_identifier == alert.identifier
        )
    )


def export_cap(session: Session, *, crisis_id: uuid.UUID, actor: Actor) -> bytes:
    """The crisis as a CAP 1.2 alert."""
    crisis = get(session, crisis_id=crisis_id, actor=actor)
    area = areas.area_from_stored(crisis.area_kind, crisis.area_geojson)
    return cap.export(crisis, area, sender="peduli@kemlu.go.id")


def get(session: Session, *, crisis_id: uuid.UUID, actor: Actor) -> Crisis:
    """One crisis, for any staff role that may follow crises."""
    access.require_viewer(session, actor, action="crisis.read")
    crisis = session.get(Crisis, crisis_id)
    if crisis is None:
        raise NotFound(_("There is no crisis with this id."))
    return crisis


def list_crises(session: Session, *, actor: Actor, limit: int = 50) -> Sequence[Crisis]:
    """The newest crises first."""
    access.require_viewer(session, actor, action="crisis.read")
    return session.scalars(select(Crisis).order_by(Crisis.started_at.desc()).limit(limit)).all()


def set_status(
    session: Session, *, crisis_id: uuid.UUID, status: CrisisStatus, actor: Actor
) -> Crisis:
    """Activate a drafted crisis or close an active one."""
    access.require_declarer(session, actor, action=f"crisis.{status}")
    crisis = get(session, crisis_id=crisis_id, actor=actor)
    if not workflow.may_become(crisis.status, status):
        raise Conflict(
            _("A crisis that is {current} cannot become {wanted}.").format(
                current=crisis.status, wanted=status
            ),
            code="crisis_status",
        )
    crisis.status = status
    if status == CrisisStatus.CLOSED:
        crisis.closed_at = utcnow()
    if status == CrisisStatus.ACTIVE:
        _published(session, crisis)
    audit.record(
        session,
        actor=actor,
        action=f"crisis.{status}",
        entity_type="crisis",
        entity_id=str(crisis.id),
        fields=["status"],
    )
    return crisis


def audience(session: Session, *, crisis_id: uuid.UUID, actor: Actor) -> Audience:
    """Counts of who the crisis reaches, in one grouped query (never a list of people)."""
    crisis = get(session, crisis_id=crisis_id, actor=actor)
    return count_audience(session, crisis, representation_codes=access.audience_posts(actor))


def count_audience(
    session: Session, crisis: Crisis, *, representation_codes: Collection[str] | None = None
) -> Audience:
    """Group the audience by post, purpose and language; add the groups up.

    Stays placed only at their city's centre are in the groups and also counted apart
    (``approximate``): whoever sends sees how many may in fact be outside the area.
    """
    columns = (
        Stay.representation_code,
        Stay.purpose,
        Stay.language,
        Stay.position_approximate,
        func.count().label("stays"),
    )
    grouped = targeting.audience(
        session, crisis, representation_codes=representation_codes, columns=columns
    ).group_by(
        Stay.representation_code,
        Stay.purpose,
        Stay.language,
        Stay.position_approximate,
    )
    by_post: Counter[str] = Counter()
    by_purpose: Counter[str] = Counter()
    by_language: Counter[str] = Counter()
    approximate = 0
    with joins_by_index_lookup(session):
        groups = session.execute(grouped).all()
    for post, purpose, language, is_approximate, stays in groups:
        by_post[post or "none"] += stays
        by_purpose[purpose] += stays
        by_language[language or "id"] += stays
        approximate += stays if is_approximate else 0
    return Audience(
        total=sum(by_post.values()),
        approximate=approximate,
        by_representation=dict(by_post.most_common()),
        by_purpose=dict(by_purpose.most_common()),
        by_language=dict(by_language.most_common()),
    )


def read_model(crisis: Crisis) -> CrisisRead:
    """The API view of a crisis."""
    return CrisisRead(
        id=crisis.id,
        title=crisis.title,
        description=crisis.description,
        kind=crisis.kind,
        severity=crisis.severity,
        status=crisis.status,
        started_at=crisis.started_at,
        closed_at=crisis.closed_at,
        area=json.loads(crisis.area_geojson),
        area_kind=crisis.area_kind,
        representation_codes=[c for c in crisis.representation_codes.split(",") if c],
        created_by_display=crisis.created_by_display,
        cap_identifier=crisis.cap_identifier,
    )
