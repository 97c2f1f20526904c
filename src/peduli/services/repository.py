"""The applications the officers' pages and the API share: a post's queue (by deadline,
paged) and the report of volumes and SLA compliance (per post, or national for HQ); and the
statistics dashboard's figures of a period."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, func, literal, select, union_all
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


@dataclass
class PeriodFigures:
    """One service's applications received and completed in a period and in the same days a
    year earlier, and its open ones now (an open count has no period)."""

    service_code: str
    received: int = 0
    completed: int = 0
    completed_on_time: int = 0
    received_year_earlier: int = 0
    completed_year_earlier: int = 0
    completed_on_time_year_earlier: int = 0
    open: int = 0
    overdue_open: int = 0


Period = tuple[date, date]


def _instants(period: Period) -> tuple[datetime, datetime]:
    """The UTC instants ``[first day 00:00, day after the last 00:00)`` of a period."""
    start, end = period
    return (
        datetime.combine(start, time(), UTC),
        datetime.combine(end + timedelta(days=1), time(), UTC),
    )


def period_figures(
    session: Session,
    *,
    actor: Actor,
    period: Period,
    year_earlier: Period,
    posts: Collection[str] | None,
    now: datetime,
    counts: Session | None = None,
) -> list[PeriodFigures]:
    """Per service, the applications of ``posts`` (None: every post the caller reaches)
    received and completed in ``period`` and in ``year_earlier``, and open now. The caller's
    access is checked (and a refusal audited) on ``session``; the counts may come from
    ``counts``, a lagging read session (a replica).

    Each part is one grouped range read of its own index (received by submission time,
    completed by issue time, open through the queue's partial index), so the cost follows
    the period's applications, never the whole table."""
    access.require_report_reader(session, actor, action="service.report")
    app = ServiceApplication
    where = [access.handled_here(actor)]
    if posts is not None:
        where.append(app.representation_code.in_(sorted(posts)))

    def tagged(tag: str, *counts: Any) -> Any:
        return select(literal(tag).label("tag"), app.service_code, *counts).where(*where)

    parts = []
    for suffix, span in (("", period), ("_year_earlier", year_earlier)):
        start, end = _instants(span)
        parts.append(
            tagged("received" + suffix, func.count(), literal(0))
            .where(app.submitted_at >= start, app.submitted_at < end)
            .group_by(app.service_code)
        )
        parts.append(
            tagged("completed" + suffix, func.count(), _count(app.issued_at <= app.due_at))
            .where(app.issued_at >= start, app.issued_at < end)
            .group_by(app.service_code)
        )
    parts.append(
        tagged("open", func.count(), _count(workflow.overdue(now)))
        .where(app.state.in_(workflow.OPEN_STATES))
        .group_by(app.service_code)
    )
    figures: dict[str, PeriodFigures] = {}
    for tag, code, n, of_which in (counts or session).execute(union_all(*parts)):
        row = figures.setdefault(code, PeriodFigures(code))
        setattr(row, tag, int(n))
        if tag.startswith("completed"):
            setattr(row, tag.replace("completed", "completed_on_time"), int(of_which))
        elif tag == "open":
            row.overdue_open = int(of_which)
    return [figures[code] for code in sorted(figures)]


__all__ = ["PeriodFigures", "QueueFilter", "State", "national", "period_figures", "queue", "report"]
