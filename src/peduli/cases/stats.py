"""Outcome statistics from maintained aggregates, exact and never stale.

Every change that moves a headline figure (a case resolved or reopened, an outcome recorded
or removed) adds or subtracts its contribution to ``case_outcome_daily`` with one upsert in
the same transaction, so a reading is a small indexed sum instead of a scan of every case.
Definitions (what Kemlu publishes, from the typed outcomes):

- ``cases_resolved``: cases whose resolution falls in the period (a reopened case stops
  counting on its old day; resolving it again counts on the new day);
- ``death_penalty_saved``: people of death-penalty cases whose sentence was commuted, or who
  were acquitted or released;
- ``financial_recovered_idr``: money recovered, valued in rupiah at the date recovered;
- ``hostages_freed``: people freed from hostage-taking.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.auth.roles import STATS_READERS
from peduli.cases import access, workflow
from peduli.cases.models import Case, CaseOutcome, OutcomeDaily, OutcomeKind
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _

FIGURES = (
    "cases_resolved",
    "death_penalty_saved",
    "financial_recovered_idr",
    "hostages_freed",
    "people_repatriated",
)
DEATH_PENALTY_SAVING_KINDS = frozenset(
    {
        OutcomeKind.DEATH_SENTENCE_COMMUTED,
        OutcomeKind.ACQUITTED,
        OutcomeKind.RELEASED_FROM_DETENTION,
    }
)
REPATRIATION_KINDS = frozenset({OutcomeKind.REPATRIATED})


def bump(
    session: Session,
    *,
    representation_code: str,
    day: date,
    category: str,
    sign: int = 1,
    **figures: int,
) -> None:
    """Add (``sign=1``) or take away (``sign=-1``) figures for one day, post and category."""
    values = {name: sign * int(figures.get(name, 0)) for name in FIGURES}
    if not any(values.values()):
        return
    key = {"representation_code": representation_code, "day": day, "category": category}
    session.execute(_bump_statement(session), key | values)


def add_resolved(session: Session, counts: Mapping[tuple[str, date, str], int]) -> None:
    """Add resolved cases counted per (post, day, category): a bulk load's, in one batch."""
    if counts:
        parameters = [
            {"representation_code": code, "day": day, "category": category}
            | dict.fromkeys(FIGURES, 0)
            | {"cases_resolved": resolved}
            for (code, day, category), resolved in counts.items()
        ]
        session.execute(_bump_statement(session), parameters)


def _bump_statement(session: Session) -> Any:
    """Add the figures bound by name to the day's row, made if missing (one upsert)."""
    table = OutcomeDaily.__table__
    assert isinstance(table, Table)
    insert = pg_insert if is_postgres(session) else sqlite_insert
    statement = insert(table).values(
        {name: bindparam(name) for name in ("representation_code", "day", "category", *FIGURES)}
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.representation_code, table.c.day, table.c.category],
        set_={name: table.c[name] + statement.excluded[name] for name in FIGURES},
    )


def outcome_figures(outcome: CaseOutcome) -> dict[str, int]:
    """What one outcome adds to the headline figures."""
    kind = OutcomeKind(outcome.kind)
    figures: dict[str, int] = {}
    if kind == OutcomeKind.MONEY_RECOVERED:
        figures["financial_recovered_idr"] = int(outcome.idr_value or 0)
    if kind == OutcomeKind.FREED_FROM_HOSTAGE:
        figures["hostages_freed"] = outcome.people
    if kind in DEATH_PENALTY_SAVING_KINDS and outcome.death_penalty_case:
        figures["death_penalty_saved"] = outcome.people
    if kind in REPATRIATION_KINDS:
        figures["people_repatriated"] = outcome.people
    return figures


@dataclass
class Figures:
    cases_resolved: int = 0
    death_penalty_saved: int = 0
    financial_recovered_idr: int = 0
    hostages_freed: int = 0
    people_repatriated: int = 0

    def add(self, other: Figures) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class OutcomeStats:
    """Totals for a period and the same figures per representation."""

    date_from: date
    date_to: date
    total: Figures
    by_representation: dict[str, Figures] = field(default_factory=dict)


def outcome_stats(
    session: Session,
    *,
    date_from: date,
    date_to: date,
    representation_codes: Collection[str] | None,
) -> OutcomeStats:
    """Sum the aggregates of ``[date_from, date_to]`` (None: every representation)."""
    query = (
        select(
            OutcomeDaily.representation_code,
            *(func.coalesce(func.sum(OutcomeDaily.__table__.c[n]), 0) for n in FIGURES),
        )
        .where(OutcomeDaily.day >= date_from, OutcomeDaily.day <= date_to)
        .group_by(OutcomeDaily.representation_code)
        .order_by(OutcomeDaily.representation_code)
    )
    if representation_codes is not None:
        query = query.where(OutcomeDaily.representation_code.in_(list(representation_codes)))
    total = Figures()
    per: dict[str, Figures] = {}
    for row in session.execute(query):
        figures = Figures(*(int(value) for value in row[1:]))
        if not any(getattr(figures, n) for n in FIGURES):
            continue
        per[row[0]] = figures
        total.add(figures)
    return OutcomeStats(date_from=date_from, date_to=date_to, total=total, by_representation=per)


def read_outcome_stats(
    session: Session,
    *,
    actor: Actor,
    date_from: date | None,
    date_to: date | None,
    representation: str | None,
) -> OutcomeStats:
    """The headline figures for a period: nationally for HQ, for their own post for officers."""
    policy.require_role(session, actor, roles=STATS_READERS, action="stats.outcomes")
    today = utcnow().date()
    start = date_from or date(today.year, 1, 1)
    end = date_to or today
    if start > end:
        raise ValidationFailed(
            [
                FieldProblem(
                    "from",
                    "period_reversed",
                    _("The period starts after it ends."),
                    _("Give 'from' on or before 'to'."),
                )
            ]
        )
    codes = access.figures_posts(session, actor, wanted=representation, action="stats.outcomes")
    return outcome_stats(session, date_from=start, date_to=end, representation_codes=codes)


@dataclass(frozen=True)
class OpenCases:
    """How many open cases of one category and priority are in one SLA state."""

    category: str
    priority: str
    sla: str  # ``workflow.SlaState``
    count: int


def open_cases_by_state(
    session: Session, *, representation_codes: Collection[str] | None, now: datetime
) -> list[OpenCases]:
    """The open cases of the posts (None: every post) by category, priority and SLA state.

    One grouped read of the open cases through the post's queue index (done cases, the
    great majority, are not read)."""
    soon = now + workflow.DUE_SOON
    state = sql_case(
        (Case.sla_due_at <= now, "overdue"),
        (Case.sla_due_at <= soon, "due_soon"),
        else_="on_time",
    )
    query = (
        select(Case.category, Case.priority, state, func.count())
        .where(Case.status.not_in([s.value for s in workflow.DONE]))
        .group_by(Case.category, Case.priority, state)
    )
    if representation_codes is not None:
        query = query.where(Case.representation_code.in_(sorted(representation_codes)))
    return [OpenCases(c, p, s, int(n)) for c, p, s, n in session.execute(query)]
