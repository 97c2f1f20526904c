"""Typed outcomes: IDR conversion at the date, validation, removal and the figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases import outcomes, stats
from peduli.cases.schemas import OutcomeCreate
from peduli.core.errors import ValidationFailed
from tests.cases.conftest import open_case


def _stats(db: Session) -> stats.Figures:
    return stats.outcome_stats(
        db, date_from=date(2020, 1, 1), date_to=date(2030, 1, 1), representation_codes=None
    ).total


def test_money_is_valued_at_the_rate_of_its_date(db: Session, officer: Actor) -> None:
    case = open_case(db, officer)
    early = outcomes.record_outcome(
        db,
        case_id=case.id,
        actor=officer,
        data=OutcomeCreate(
            kind="money_recovered", amount=Decimal(1000), currency="usd",
            achieved_on=date(2024, 3, 15),
        ),
    )  # fmt: skip
    later = outcomes.record_outcome(
        db,
        case_id=case.id,
        actor=officer,
        data=OutcomeCreate(
            kind="money_recovered", amount=Decimal(1000), currency="USD",
            achieved_on=date(2025, 7, 1),
        ),
    )  # fmt: skip
    assert (early.currency, early.idr_per_unit, early.idr_value) == ("USD", 15500, 15_500_000)
    assert later.idr_value == 16_300_000
    assert _stats(db).financial_recovered_idr == 31_800_000


def test_rupiah_needs_no_rate_and_rounds_half_up(db: Session, officer: Actor) -> None:
    case = open_case(db, officer)
    outcome = outcomes.record_outcome(
        db,
        case_id=case.id,
        actor=officer,
        data=OutcomeCreate(kind="money_recovered", amount=Decimal("1000.50"), currency="IDR"),
    )
    assert outcome.idr_value == 1001


def test_money_without_a_known_rate_names_the_known_currencies(db: Session, officer: Actor) -> None:
    case = open_case(db, officer)
    with pytest.raises(ValidationFailed) as refused:
        outcomes.record_outcome(
            db,
            case_id=case.id,
            actor=officer,
            data=OutcomeCreate(kind="money_recovered", amount=Decimal(5), currency="XAU"),
        )
    assert refused.value.problems[0].code == "no_rate"
    assert "KRW" in refused.value.problems[0].hint
    with pytest.raises(ValidationFailed) as refused:
        outcomes.record_outcome(
            db, case_id=case.id, actor=officer, data=OutcomeCreate(kind="money_recovered")
        )
    assert {p.field for p in refused.value.problems} == {"amount", "currency"}
    with pytest.raises(ValidationFailed):
        outcomes.record_outcome(
            db,
            case_id=case.id,
            actor=officer,
            data=OutcomeCreate(kind="repatriated", amount=Decimal(5), currency="KRW"),
        )


def test_hostages_and_death_penalty_figures(db: Session, officer: Actor) -> None:
    hostage = open_case(db, officer, category="hostage")
    capital = open_case(db, officer, category="detention", death_penalty=True)
    ordinary = open_case(db, officer, category="detention")
    record = outcomes.record_outcome
    record(
        db,
        case_id=hostage.id,
        actor=officer,
        data=OutcomeCreate(kind="freed_from_hostage", people=4),
    )
    saved = record(
        db, case_id=capital.id, actor=officer, data=OutcomeCreate(kind="death_sentence_commuted")
    )
    record(db, case_id=ordinary.id, actor=officer, data=OutcomeCreate(kind="acquitted"))
    figures = _stats(db)
    assert (figures.hostages_freed, figures.death_penalty_saved) == (4, 1)
    outcomes.remove_outcome(db, case_id=capital.id, outcome_id=saved.id, actor=officer)
    assert _stats(db).death_penalty_saved == 0


def test_outcomes_cannot_be_in_the_future(db: Session, officer: Actor) -> None:
    case = open_case(db, officer)
    with pytest.raises(ValidationFailed) as refused:
        outcomes.record_outcome(
            db,
            case_id=case.id,
            actor=officer,
            data=OutcomeCreate(kind="repatriated", achieved_on=date(2099, 1, 1)),
        )
    assert refused.value.problems[0].field == "achieved_on"


def test_official_rates_can_be_loaded_from_a_file(
    db: Session, officer: Actor, tmp_path: Path
) -> None:
    sheet = tmp_path / "rates.csv"
    sheet.write_text("currency,rate_date,idr_per_unit\nUSD,2025-07-01,16350.25\nXAU,2025-01-01,1\n")
    outcomes.ensure_rates(db)
    loaded = outcomes.load_rates(db, outcomes.read_rates_csv(sheet, source="bi-jisdor"))
    assert loaded == 2
    assert outcomes.rate_on(db, "USD", date(2025, 8, 1)) == Decimal("16350.25")
    assert outcomes.rate_on(db, "XAU", date(2025, 8, 1)) == 1


def test_operators_load_rates_from_the_command_line(clean_engine: object, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from peduli.cli.main import app
    from peduli.core.db import session_scope

    sheet = tmp_path / "rates.csv"
    sheet.write_text("currency,rate_date,idr_per_unit\nSAR,2026-06-01,4400\n")
    result = CliRunner().invoke(app, ["cases", "load-rates", str(sheet), "--source", "bi"])
    assert result.exit_code == 0, result.output
    with session_scope() as db:
        assert outcomes.rate_on(db, "SAR", date(2026, 7, 1)) == 4400
