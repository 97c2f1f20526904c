"""The maintained outcome aggregates equal an independent count of the same data, after any
sequence of resolutions, reopenings, closings and outcomes recorded or removed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.cases import casework, outcomes, stats
from peduli.cases.models import Case, CaseOutcome, CaseStatus, OutcomeDaily, OutcomeKind
from peduli.cases.schemas import OutcomeCreate
from peduli.core.db import get_sessionmaker
from peduli.core.errors import PeduliError
from tests.cases.conftest import KL, SEOUL, open_case, staff_actor, walk
from tests.conftest import empty_all_tables
from tests.fuzzing import examples

Key = tuple[str, date, str]
DAY0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def independent_figures(db: Session) -> dict[Key, Counter[str]]:
    """Recount every figure from the cases and outcomes themselves (no aggregate table)."""
    figures: dict[Key, Counter[str]] = {}
    for rep, category, resolved_at in db.execute(
        select(Case.representation_code, Case.category, Case.resolved_at).where(
            Case.resolved_at.is_not(None)
        )
    ):
        figures.setdefault((rep, resolved_at.date(), category), Counter())["cases_resolved"] += 1
    rows = db.execute(
        select(Case.representation_code, Case.category, CaseOutcome).join(
            Case, Case.id == CaseOutcome.case_id
        )
    )
    for rep, category, outcome in rows:
        counter = figures.setdefault((rep, outcome.achieved_on, category), Counter())
        kind = OutcomeKind(outcome.kind)
        if kind == OutcomeKind.MONEY_RECOVERED:
            counter["financial_recovered_idr"] += outcome.idr_value or 0
        if kind == OutcomeKind.FREED_FROM_HOSTAGE:
            counter["hostages_freed"] += outcome.people
        if kind == OutcomeKind.REPATRIATED:
            counter["people_repatriated"] += outcome.people
        if kind in stats.DEATH_PENALTY_SAVING_KINDS and outcome.death_penalty_case:
            counter["death_penalty_saved"] += outcome.people
    return {key: +counter for key, counter in figures.items() if +counter}


def maintained_figures(db: Session) -> dict[Key, Counter[str]]:
    result: dict[Key, Counter[str]] = {}
    for row in db.scalars(select(OutcomeDaily)):
        counter = Counter({name: getattr(row, name) for name in stats.FIGURES})
        if +counter:
            result[(row.representation_code, row.day, row.category)] = +counter
        assert all(value >= 0 for value in counter.values()), "a figure went negative"
    return result


OPERATION = st.one_of(
    st.tuples(st.just("resolve"), st.integers(0, 5)),
    st.tuples(st.just("close"), st.integers(0, 5)),
    st.tuples(st.just("reopen"), st.integers(0, 5)),
    st.tuples(st.just("wait"), st.integers(0, 5)),
    st.tuples(
        st.just("outcome"),
        st.integers(0, 5),
        st.sampled_from(list(OutcomeKind)),
        st.integers(1, 4),
        st.integers(0, 400),
    ),
    st.tuples(st.just("remove"), st.integers(0, 5)),
    st.tuples(st.just("next_day"), st.integers(1, 3)),
)


@pytest.mark.parametrize("seed_flags", [(False, True)])
@example(operations=[("resolve", 0), ("close", 0)])
@example(operations=[("resolve", 2), ("next_day", 2), ("reopen", 2), ("resolve", 2)])
@settings(
    max_examples=examples(25),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATION, min_size=1, max_size=25))
def test_aggregates_equal_an_independent_count(
    clean_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    seed_flags: tuple[bool, bool],
    operations: list[tuple[object, ...]],
) -> None:
    empty_all_tables(clean_engine)
    clock = [DAY0]
    monkeypatch.setattr(casework, "utcnow", lambda: clock[0])
    db = get_sessionmaker()()
    try:
        seoul = staff_actor(db, Role.OFFICER, SEOUL, "o-seoul")
        kl = staff_actor(db, Role.OFFICER, KL, "o-kl")
        cases = [
            walk(db, open_case(db, seoul, category="detention", death_penalty=True), seoul,
                 "in_progress"),
            walk(db, open_case(db, seoul, category="hostage"), seoul, "in_progress"),
            walk(db, open_case(db, seoul, category="labour"), seoul, "in_progress"),
            walk(db, open_case(db, kl, category="labour"), kl, "in_progress"),
            walk(db, open_case(db, kl, category="ship_crew"), kl, "in_progress"),
            walk(db, open_case(db, kl, category="detention", death_penalty=seed_flags[0]), kl,
                 "in_progress"),
        ]  # fmt: skip
        actors = [seoul, seoul, seoul, kl, kl, kl]
        for operation in operations:
            _apply(db, operation, cases, actors, clock)
        db.commit()
        assert maintained_figures(db) == independent_figures(db)
        everything = stats.outcome_stats(
            db, date_from=date(2000, 1, 1), date_to=date(2100, 1, 1), representation_codes=None
        )
        independent = Counter[str]()
        for counter in independent_figures(db).values():
            independent.update(counter)
        for name in stats.FIGURES:
            assert getattr(everything.total, name) == independent[name], name
    finally:
        db.rollback()
        db.close()


def _apply(
    db: Session,
    operation: tuple[object, ...],
    cases: list[Case],
    actors: list[Actor],
    clock: list[datetime],
) -> None:
    name = operation[0]
    if name == "next_day":
        clock[0] = clock[0] + timedelta(days=int(operation[1]))  # type: ignore[call-overload]
        return
    index = int(operation[1])  # type: ignore[call-overload]
    case, actor = cases[index], actors[index]
    try:
        if name == "resolve":
            casework.transition(db, case_id=case.id, actor=actor, to=CaseStatus.RESOLVED)
        elif name == "close":
            casework.transition(db, case_id=case.id, actor=actor, to=CaseStatus.CLOSED)
        elif name == "reopen":
            casework.transition(db, case_id=case.id, actor=actor, to=CaseStatus.IN_PROGRESS)
        elif name == "wait":
            casework.transition(
                db, case_id=case.id, actor=actor, to=CaseStatus.WAITING, waiting_on="agency"
            )  # type: ignore[arg-type]
        elif name == "outcome":
            _, _, kind, people, days_back = operation
            money = kind == OutcomeKind.MONEY_RECOVERED
            outcomes.record_outcome(
                db,
                case_id=case.id,
                actor=actor,
                data=OutcomeCreate(
                    kind=kind,  # type: ignore[arg-type]
                    people=people,  # type: ignore[arg-type]
                    achieved_on=date(2026, 3, 1) - timedelta(days=int(days_back)),  # type: ignore[call-overload]
                    amount=Decimal("1234.5") * int(people) if money else None,  # type: ignore[call-overload]
                    currency="MYR" if money else None,
                ),
            )
        elif name == "remove":
            first = db.scalars(
                select(CaseOutcome.id).where(CaseOutcome.case_id == case.id).limit(1)
            ).first()
            if first is not None:
                outcomes.remove_outcome(db, case_id=case.id, outcome_id=first, actor=actor)
    except PeduliError as refused:
        # A transition the workflow refuses changes nothing; anything else is a failure.
        if refused.status != 409:
            raise
    db.flush()


def test_stats_api_scopes_officers_to_their_post(db: Session, officer: Actor) -> None:
    from peduli.cases.stats import read_outcome_stats

    with pytest.raises(PeduliError) as refused:
        read_outcome_stats(db, actor=officer, date_from=None, date_to=None, representation=KL)
    assert refused.value.status == 403
    own = read_outcome_stats(db, actor=officer, date_from=None, date_to=None, representation=None)
    assert own.total.cases_resolved == 0
    partner = Actor(role=Role.PARTNER, account_id=officer.account_id, display="p")
    with pytest.raises(PeduliError):
        read_outcome_stats(db, actor=partner, date_from=None, date_to=None, representation=None)
