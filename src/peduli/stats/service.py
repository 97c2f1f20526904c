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
from peduli.reference.places import directory
from peduli.services import catalogue
from peduli.services import repository as service_repository
from peduli.services.repository import PeriodFigures
from peduli.services.schemas import Texts
from peduli.stats import repository
from peduli.stats.repository import BY, Breakdown, Filters

ACTION = "stats.citizens"


@dataclass(frozen=True)
class Asked:
    """What a reader asked for, before it is checked: a period (None: this month so far), a
    country and a post (None: all they may read)."""

    date_from: date | None = None
    date_to: date | None = None
    country: str | None = None
    representation: str | None = None


@dataclass
class Reading:
    """The checked filters of a reading and the period's flows, now and a year earlier:
    what every reading of the statistics starts from."""

    filters: Filters
    representation: str | None
    flows: dict[str, int]
    flows_year_earlier: dict[str, int]


def open_reading(
    session: Session, *, actor: Actor, asked: Asked, today: date, counts: Session
) -> Reading:
    """Check the caller may read the figures asked for (on ``session``: a refusal is audited);
    the filters they may read, with the period's flows read on ``counts``."""
    filters = checked_filters(session, actor=actor, asked=asked, today=today)
    flows, flows_year_earlier = repository.flow_totals_and_year_earlier(counts, filters=filters)
    return Reading(filters, asked.representation or None, flows, flows_year_earlier)


def checked_filters(session: Session, *, actor: Actor, asked: Asked, today: date) -> Filters:
    """The filters of what ``actor`` asked for, once checked that they may read them (a
    refusal is audited on ``session``) and that the period and country make sense."""
    policy.require_role(session, actor, roles=STATS_READERS, action=ACTION)
    end = asked.date_to or today
    start = asked.date_from or end.replace(day=1)
    country = asked.country
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
    posts = figures_posts(session, actor, wanted=asked.representation or None, action=ACTION)
    return Filters(start, end, country.upper() if country else None, posts)


@dataclass
class CitizensReading(Reading):
    """A breakdown of citizens abroad and the period's flows, now and a year earlier."""

    breakdown: Breakdown


def read_citizens(
    session: Session, *, actor: Actor, by: str, asked: Asked, today: date, counts: Session
) -> CitizensReading:
    """Citizens abroad by ``by`` at the end of the period, with flows and a year earlier; the
    figures read on ``counts`` (a lagging read session: the replica when there is one)."""
    if by not in BY:
        raise ValidationFailed(
            [FieldProblem("by", "invalid", _("Choose one of the breakdowns offered."))]
        )
    filters = checked_filters(session, actor=actor, asked=asked, today=today)
    breakdown, (flows, flows_year_earlier) = repository.citizens_and_flows(
        counts, by=by, filters=filters, today=today
    )
    return CitizensReading(
        filters, asked.representation or None, flows, flows_year_earlier, breakdown=breakdown
    )


@dataclass
class Dashboard(Reading):
    """Every figure of the dashboard for one reading's filters."""

    breakdowns: dict[str, Breakdown]
    verification: Breakdown
    series: dict[str, list[tuple[date, int]]]
    cases: list[case_stats.OpenCases]
    outcomes: case_stats.OutcomeStats
    services: list[PeriodFigures]
    service_names: dict[str, Texts]


def services_posts(filters: Filters) -> frozenset[str] | None:
    """The posts whose applications the services' figures count: the filters' posts, and of
    them only those serving the filters' country (applications are made at a post, not in a
    country)."""
    if filters.country is None:
        return filters.posts
    serving = frozenset(post.code for post in directory().for_country(filters.country))
    return serving if filters.posts is None else serving & filters.posts


def read_dashboard(
    session: Session, *, actor: Actor, asked: Asked, today: date, counts: Session
) -> Dashboard:
    """Citizens abroad by every dimension, the verification backlog and the daily flows;
    open cases by category, priority and SLA state and the outcome figures of the same posts
    (the country filter is the citizens'); the services' figures of the period at the posts
    serving the country, each with the same period a year earlier. Access is checked on
    ``session``, every figure read on ``counts`` (a lagging read session)."""
    now = utcnow()
    reading = open_reading(session, actor=actor, asked=asked, today=today, counts=counts)
    filters = reading.filters
    earlier = filters.a_year_earlier()
    return Dashboard(
        **vars(reading),
        breakdowns={
            by: repository.citizens(counts, by=by, filters=filters, today=today) for by in BY
        },
        verification=repository.citizens(counts, by="verification", filters=filters, today=today),
        series=repository.flow_series(counts, filters=filters),
        cases=case_stats.open_cases_by_state(counts, representation_codes=filters.posts, now=now),
        outcomes=case_stats.outcome_stats(
            counts,
            date_from=filters.date_from,
            date_to=filters.date_to,
            representation_codes=filters.posts,
        ),
        services=service_repository.period_figures(
            session,
            actor=actor,
            period=(filters.date_from, filters.date_to),
            year_earlier=(earlier.date_from, earlier.date_to),
            posts=services_posts(filters),
            now=now,
            counts=counts,
        ),
        service_names={entry.code: entry.name for _v, entry in catalogue.current(session)},
    )
