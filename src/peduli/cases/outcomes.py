"""Typed outcomes of a case and their rupiah value; each one moves the statistics.

Money recovered is valued in IDR at the latest rate on or before the day it was recovered
(``exchange_rate``; the shipped indicative rates are loaded on first use and an operator
loads official ones with ``load_rates``).
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.cases import stats
from peduli.cases.access import load_case
from peduli.cases.models import CaseOutcome, EventKind, ExchangeRate, OutcomeKind
from peduli.cases.schemas import OutcomeCreate
from peduli.cases.service import problem
from peduli.cases.timeline import add_event
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import FieldProblem, NotFound, require_valid
from peduli.core.i18n import _

HOME_CURRENCY = "IDR"


@dataclass(frozen=True)
class Rate:
    currency: str
    rate_date: date
    idr_per_unit: Decimal
    source: str = "shipped"


def shipped_rates() -> list[Rate]:
    """The indicative rates shipped in ``cases/data/exchange_rates.json``."""
    raw = resources.files("peduli.cases.data").joinpath("exchange_rates.json").read_text("utf-8")
    return [
        Rate(r["currency"], date.fromisoformat(r["rate_date"]), Decimal(str(r["idr_per_unit"])))
        for r in json.loads(raw)["rates"]
    ]


def read_rates_csv(path: Path, *, source: str) -> list[Rate]:
    """Rates from a CSV with columns currency,rate_date,idr_per_unit."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            Rate(
                row["currency"].strip().upper(),
                date.fromisoformat(row["rate_date"].strip()),
                Decimal(row["idr_per_unit"].strip()),
                source,
            )
            for row in csv.DictReader(handle)
        ]


def load_rates(session: Session, rates: Iterable[Rate]) -> int:
    """Insert or replace rates (one upsert per batch); returns how many were given."""
    rows = [
        {
            "currency": r.currency,
            "rate_date": r.rate_date,
            "idr_per_unit": r.idr_per_unit,
            "source": r.source,
        }
        for r in rates
    ]
    if not rows:
        return 0
    table = ExchangeRate.__table__
    assert isinstance(table, Table)
    insert = pg_insert if is_postgres(session) else sqlite_insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.currency, table.c.rate_date],
        set_={"idr_per_unit": statement.excluded.idr_per_unit, "source": statement.excluded.source},
    )
    session.execute(statement, rows)
    return len(rows)


def ensure_rates(session: Session) -> None:
    """Load the shipped rates if the table is empty (first use of a new database)."""
    if session.scalar(select(func.count()).select_from(ExchangeRate)) == 0:
        load_rates(session, shipped_rates())


def rate_table(session: Session, *, limit: int = 500) -> list[Rate]:
    """The dated rates, by currency and newest first (the page HQ edits them on)."""
    ensure_rates(session)
    rows = session.execute(
        select(
            ExchangeRate.currency,
            ExchangeRate.rate_date,
            ExchangeRate.idr_per_unit,
            ExchangeRate.source,
        )
        .order_by(ExchangeRate.currency, ExchangeRate.rate_date.desc())
        .limit(limit)
    )
    return [Rate(*row) for row in rows]


def rate_on(session: Session, currency: str, on: date) -> Decimal | None:
    """Rupiah per unit of ``currency`` on ``on`` (latest rate not after it), or None."""
    if currency == HOME_CURRENCY:
        return Decimal(1)
    ensure_rates(session)
    return session.scalar(
        select(ExchangeRate.idr_per_unit)
        .where(ExchangeRate.currency == currency, ExchangeRate.rate_date <= on)
        .order_by(ExchangeRate.rate_date.desc())
        .limit(1)
    )


def to_idr(amount: Decimal, rate: Decimal) -> int:
    """Round to whole rupiah, half up."""
    return int((amount * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _money_problems(
    session: Session, data: OutcomeCreate, on: date
) -> tuple[Decimal | None, list[FieldProblem]]:
    if data.kind != OutcomeKind.MONEY_RECOVERED:
        if data.amount is not None or data.currency is not None:
            return None, [
                problem(
                    "amount",
                    "amount_not_expected",
                    _("Only money_recovered outcomes carry an amount."),
                    _("Leave out amount and currency for this kind."),
                )
            ]
        return None, []
    problems: list[FieldProblem] = []
    if data.amount is None:
        problems.append(problem("amount", "amount_required", _("Give the amount recovered.")))
    if data.currency is None:
        problems.append(
            problem("currency", "currency_required", _("Give the currency (ISO 4217, e.g. KRW)."))
        )
    if problems:
        return None, problems
    assert data.currency is not None
    rate = rate_on(session, data.currency.upper(), on)
    if rate is None:
        known = session.scalars(
            select(ExchangeRate.currency).distinct().order_by(ExchangeRate.currency)
        )
        return None, [
            problem(
                "currency",
                "no_rate",
                _("There is no exchange rate for this currency on or before that date."),
                _("Use one of: {codes}, or ask HQ to load the rate.").format(
                    codes=", ".join([HOME_CURRENCY, *known])
                ),
            )
        ]
    return rate, []


def record_outcome(
    session: Session, *, case_id: uuid.UUID, actor: Actor, data: OutcomeCreate
) -> CaseOutcome:
    """Record a typed outcome; its rupiah value and figures are fixed when recorded."""
    case = load_case(session, case_id=case_id, actor=actor, action="case.outcome", for_update=True)
    on = data.achieved_on or utcnow().date()
    problems: list[FieldProblem] = []
    if on > utcnow().date():
        problems.append(
            problem("achieved_on", "in_the_future", _("An outcome cannot be in the future."))
        )
    rate, money_problems = _money_problems(session, data, on)
    require_valid(problems + money_problems)
    try:
        idr_value = to_idr(data.amount, rate) if data.amount is not None and rate else None
    except InvalidOperation:  # pragma: no cover - bounded by the schema
        idr_value = None
    outcome = CaseOutcome(
        id=uuid.uuid4(),
        case_id=case.id,
        kind=data.kind,
        people=data.people,
        achieved_on=on,
        amount=data.amount,
        currency=data.currency.upper() if data.currency else None,
        idr_per_unit=rate if data.kind == OutcomeKind.MONEY_RECOVERED else None,
        idr_value=idr_value,
        death_penalty_case=case.death_penalty,
        description=data.description,
        recorded_by_account_id=actor.account_id,
        recorded_at=utcnow(),
    )
    session.add(outcome)
    stats.bump(
        session,
        representation_code=case.representation_code,
        day=on,
        category=case.category,
        **stats.outcome_figures(outcome),
    )
    case.updated_at = utcnow()
    add_event(
        session,
        case,
        kind=EventKind.OUTCOME,
        actor=actor,
        text=data.description,
        data={"outcome_id": outcome.id, "kind": data.kind, "people": data.people,
              "idr_value": idr_value},
    )  # fmt: skip
    audit.record(
        session,
        actor=actor,
        action="case.outcome",
        entity_type="case",
        entity_id=str(case.id),
        fields=["outcome"],
    )
    session.flush()
    return outcome


def remove_outcome(
    session: Session, *, case_id: uuid.UUID, outcome_id: uuid.UUID, actor: Actor
) -> None:
    """Remove an outcome recorded in error; the figures lose what it added."""
    case = load_case(
        session, case_id=case_id, actor=actor, action="case.outcome_remove", for_update=True
    )
    outcome = session.scalar(
        select(CaseOutcome).where(CaseOutcome.id == outcome_id, CaseOutcome.case_id == case.id)
    )
    if outcome is None:
        raise NotFound(_("This case has no such outcome."))
    stats.bump(
        session,
        representation_code=case.representation_code,
        day=outcome.achieved_on,
        category=case.category,
        sign=-1,
        **stats.outcome_figures(outcome),
    )
    session.execute(delete(CaseOutcome).where(CaseOutcome.id == outcome.id))
    case.updated_at = utcnow()
    add_event(
        session,
        case,
        kind=EventKind.OUTCOME_REMOVED,
        actor=actor,
        data={"outcome_id": outcome_id, "kind": outcome.kind},
    )
    audit.record(
        session,
        actor=actor,
        action="case.outcome_remove",
        entity_type="case",
        entity_id=str(case.id),
        fields=["outcome"],
    )
