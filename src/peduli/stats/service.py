"""Use cases of the statistics: who may read which figures, and the readings themselves.

A post's staff read their own post's figures; HQ every post's, or one post's on request
(``auth.policy``'s post scope, the same rule as the outcome figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.auth.roles import STATS_READERS
from peduli.cases import stats as case_stats
from peduli.cases.access import figures_posts
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.services import catalogue
from peduli.services import repository as service_repository
from peduli.services.schemas import ReportRow, Texts
from peduli.stats import repository
from peduli.stats.repository import BY, Breakdown, Filters

ACTION = "stats.citizens"


@dataclass
class CitizensReading:
    """A breakdown of citizens abroad and the period's flows, now and a year earlier."""

    filters: Filters
    representation: str | None
    breakdown: Breakdown
    flows: dict[str, int]
    flows_year_earlier: dict[str, int]


def reading_filters(
    session: Session,
    *,
    actor: Actor,
    date_from: date | None,
    date_to: date | None,
    country: str | None,
    representation: str | None,
    today: date,
) -> Filters:
    """Check the caller may read the figures asked for; the filters they may read."""
    policy.require_role(session, actor, roles=STATS_READERS, action=ACTION)
    end = date_to or today
    start = date_from or end.replace(day=1)
    problems = []
    if start > end:
        problems.append(
            FieldProblem(
                "from",
                "period_reversed",
                _("The period starts after it ends."),
                _("Give 'from' on or before 'to'."),
            )
        )
    if (end - start).days > 3660:
        problems.append(FieldProblem("from", "period_too_long", _("Ask for ten years at most.")))
    if country is not None and (len(country) != 2 or not country.isalpha()):
        problems.append(
            FieldProblem(
                "country",
                "invalid",
                _("Give a country as its two-letter ISO code."),
                _("For example MY for Malaysia."),
            )
        )
    if problems:
        raise ValidationFailed(problems)
    posts = figures_posts(session, actor, wanted=representation or None, action=ACTION)
    return Filters(start, end, country.upper() if country else None, posts)


def read_citizens(
    session: Session,
    *,
    actor: Actor,
    by: str,
    date_from: date | None,
    date_to: date | None,
    country: str | None,
    representation: str | None,
    today: date,
) -> CitizensReading:
    """Citizens abroad by ``by`` at the end of the period, with flows and a year earlier."""
    if by not in BY:
        raise ValidationFailed(
            [FieldProblem("by", "invalid", _("Choose one of the breakdowns offered."))]
        )
    filters = reading_filters(
        session,
        actor=actor,
        date_from=date_from,
        date_to=date_to,
        country=country,
        representation=representation,
        today=today,
    )
    flows, flows_year_earlier = repository.flow_totals_and_year_earlier(session, filters=filters)
    return CitizensReading(
        filters=filters,
        representation=representation or None,
        breakdown=repository.citizens(session, by=by, filters=filters, today=today),
        flows=flows,
        flows_year_earlier=flows_year_earlier,
    )


@dataclass
class Dashboard:
    """Every figure of the dashboard for one reading's filters."""

    filters: Filters
    representation: str | None
    breakdowns: dict[str, Breakdown]
    verification: Breakdown
    flows: dict[str, int]
    flows_year_earlier: dict[str, int]
    series: dict[str, list[tuple[date, int]]]
    cases: list[case_stats.OpenCases]
    outcomes: case_stats.OutcomeStats
    services: list[ReportRow]
    service_names: dict[str, Texts]


def read_dashboard(
    session: Session,
    *,
    actor: Actor,
    date_from: date | None,
    date_to: date | None,
    country: str | None,
    representation: str | None,
    today: date,
) -> Dashboard:
    """Citizens abroad by every dimension, the verification backlog and the daily flows;
    open cases by category, priority and SLA state, the outcome figures and the services'
    volumes and SLA compliance of the same posts (the country filter is the citizens')."""
    now = utcnow()
    filters = reading_filters(
        session,
        actor=actor,
        date_from=date_from,
        date_to=date_to,
        country=country,
        representation=representation,
        today=today,
    )
    flows, flows_year_earlier = repository.flow_totals_and_year_earlier(session, filters=filters)
    return Dashboard(
        filters=filters,
        representation=representation or None,
        breakdowns={
            by: repository.citizens(session, by=by, filters=filters, today=today) for by in BY
        },
        verification=repository.citizens(session, by="verification", filters=filters, today=today),
        flows=flows,
        flows_year_earlier=flows_year_earlier,
        series=repository.flow_series(session, filters=filters),
        cases=case_stats.open_cases_by_state(session, representation_codes=filters.posts, now=now),
        outcomes=case_stats.outcome_stats(
            session,
            date_from=filters.date_from,
            date_to=filters.date_to,
            representation_codes=filters.posts,
        ),
        services=[
            row
            for row in service_repository.report(session, actor=actor, now=now)
            if filters.posts is None or row.representation_code in filters.posts
        ],
        service_names={entry.code: entry.name for _v, entry in catalogue.current(session)},
    )
