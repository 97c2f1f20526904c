"""The applications the officers' pages and the API share: a post's queue (by deadline,
paged) and the report of volumes and SLA compliance (per post, or national for HQ)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, case, func, select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.auth.policy import reaches_post
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.services import access, workflow
from peduli.services.models import ServiceApplication
from peduli.services.schemas import ReportRow
from peduli.services.workflow import State


@dataclass(frozen=True)
class QueueFilter:
    """Which applications of the queue: open ones by default, or one state; one post for HQ."""

    state: str | None = None
    representation_code: str | None = None


def queue(
    session: Session, *, actor: Actor, filters: QueueFilter, limit: int, offset: int
) -> tuple[int, list[ServiceApplication]]:
    """How many applications match, and one page of them, soonest deadline first."""
    access.require_handler(session, actor, action="service.queue")
    where = [access.handled_here(actor)]
    if filters.state:
        where.append(ServiceApplication.state == filters.state)
    else:
        where.append(ServiceApplication.state.in_(workflow.OPEN_STATES))
    if filters.representation_code:
        if not reaches_post(actor, filters.representation_code):
            raise NotFound(_("There is no such representation for you."))
        where.append(ServiceApplication.representation_code == filters.representation_code)
    total = session.scalar(select(func.count()).select_from(ServiceApplication).where(*where))
    rows = session.scalars(
        select(ServiceApplication)
        .where(*where)
        .order_by(ServiceApplication.due_at, ServiceApplication.id)
        .limit(limit)
        .offset(offset)
    )
    audit.record(session, actor=actor, action="service.queue", entity_type="service_application")
    return total or 0, list(rows)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def report(session: Session, *, actor: Actor, now: datetime) -> list[ReportRow]:
    """Per post and service: received, open, completed, completed on time, overdue open.

    Post-bound staff see their post; HQ every post (the national rows summed by the page)."""
    access.require_report_reader(session, actor, action="service.report")
    app = ServiceApplication
    completed = app.issued_at.is_not(None)
    rows = session.execute(
        select(
            app.representation_code,
            app.service_code,
            func.count(),
            _count(app.state.in_(workflow.OPEN_STATES)),
            _count(completed),
            _count(completed & (app.issued_at <= app.due_at)),
            _count(workflow.overdue(now)),
        )
        .where(access.handled_here(actor))
        .group_by(app.representation_code, app.service_code)
        .order_by(app.representation_code, app.service_code)
    ).all()
    return [
        ReportRow(
            representation_code=post,
            service_code=code,
            received=received,
            open=open_,
            completed=done,
            completed_on_time=on_time,
            overdue_open=overdue,
            on_time_share=round(on_time / done, 3) if done else None,
        )
        for post, code, received, open_, done, on_time, overdue in rows
    ]


def national(rows: list[ReportRow]) -> list[ReportRow]:
    """The report's rows summed over posts, per service."""
    totals: dict[str, list[int]] = {}
    for row in rows:
        sums = totals.setdefault(row.service_code, [0, 0, 0, 0, 0])
        for n, value in enumerate(
            (row.received, row.open, row.completed, row.completed_on_time, row.overdue_open)
        ):
            sums[n] += value
    return [
        ReportRow(
            representation_code="*",
            service_code=code,
            received=s[0],
            open=s[1],
            completed=s[2],
            completed_on_time=s[3],
            overdue_open=s[4],
            on_time_share=round(s[3] / s[2], 3) if s[2] else None,
        )
        for code, s in sorted(totals.items())
    ]


__all__ = ["QueueFilter", "State", "national", "queue", "report"]
