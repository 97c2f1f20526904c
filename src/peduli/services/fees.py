"""Fees: set in US dollars, shown in the post's currency at the rate of the day.

Why US dollars: Indonesia's tariff of consular fees collected abroad (PNBP) is set in US
dollars, and one base currency keeps the same fee at every post; the rupiah would make every
fee a large number revised with each devaluation. The local amount comes from the platform's
dated rate table (rupiah per unit, ``cases.outcomes.rate_on``, loaded with
``peduli cases load-rates``): dollars to rupiah to the post's currency with the rates in force
on the day. A post whose currency has no rate shows the dollar amount only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from importlib import resources

from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.cases import outcomes
from peduli.core.errors import FieldProblem, require_valid
from peduli.core.i18n import _
from peduli.reference.places import representation_by_code
from peduli.services import access

BASE_CURRENCY = "USD"
# Currencies counted without decimals (ISO 4217 minor unit 0).
WHOLE_CURRENCIES = frozenset({"KRW", "JPY", "IDR", "TWD"})
MAX_RATE = Decimal(10) ** 9  # the table's Numeric(18, 6)


@dataclass(frozen=True)
class Fee:
    """A fee in the base currency and, when a rate is known, in the post's currency."""

    usd_cents: int
    local_currency: str | None
    local_amount: Decimal | None

    @property
    def usd(self) -> Decimal:
        return Decimal(self.usd_cents) / 100


@cache
def _currencies() -> dict[str, str]:
    source = resources.files("peduli.services.data").joinpath("currencies.json")
    return dict(json.loads(source.read_text(encoding="utf-8"))["country_currency"])


def currency_of(representation_code: str) -> str | None:
    """The currency of the post's host country (None when not in the table)."""
    post = representation_by_code(representation_code)
    return _currencies().get(post.country) if post else None


def convert(usd_cents: int, idr_per_usd: Decimal, idr_per_unit: Decimal, currency: str) -> Decimal:
    """A dollar amount in another currency (through the rupiah), rounded as it is counted."""
    exact = Decimal(usd_cents) / 100 * idr_per_usd / idr_per_unit
    step = Decimal(1) if currency in WHOLE_CURRENCIES else Decimal("0.01")
    return exact.quantize(step, rounding=ROUND_HALF_UP)


def fee_at(session: Session, *, usd_cents: int, representation_code: str, day: date) -> Fee:
    """The fee in both currencies at a post on a day."""
    currency = currency_of(representation_code)
    if currency is None or currency == BASE_CURRENCY:
        return Fee(usd_cents, None, None)
    idr_per_usd = outcomes.rate_on(session, BASE_CURRENCY, day)
    idr_per_unit = outcomes.rate_on(session, currency, day)
    if not idr_per_usd or not idr_per_unit:
        return Fee(usd_cents, None, None)
    return Fee(usd_cents, currency, convert(usd_cents, idr_per_usd, idr_per_unit, currency))


def currencies() -> list[str]:
    """The currencies a fee is shown in (every post's, and the base currency)."""
    return sorted({*_currencies().values(), BASE_CURRENCY})


def record_rate(
    session: Session, *, currency: str, rate_date: str, idr_per_unit: str, actor: Actor
) -> outcomes.Rate:
    """HQ adds (or corrects) a dated rate of the table, from a form's text; audited."""
    access.require_catalogue_editor(session, actor, action="service.rate")
    problems: list[FieldProblem] = []
    if currency not in currencies():
        problems.append(FieldProblem("currency", "invalid", _("Choose one of the options.")))
    try:
        day: date | None = date.fromisoformat(rate_date.strip())
    except ValueError:
        day = None
    if day is None or not date(2000, 1, 1) <= day <= date.today() + timedelta(days=366):
        problems.append(
            FieldProblem("rate_date", "invalid", _("Enter a date from 2000 to a year from now."))
        )
    try:
        rate: Decimal | None = Decimal(idr_per_unit.strip().replace(",", "."))
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not 0 < rate < MAX_RATE or rate != round(rate, 6):
        problems.append(
            FieldProblem(
                "idr_per_unit",
                "invalid",
                _("Enter how many rupiah one unit buys: a positive number, six decimals at most."),
            )
        )
    require_valid(problems)
    assert day is not None and rate is not None
    entry = outcomes.Rate(currency, day, rate, source=f"hq:{actor.account_id}"[:60])
    outcomes.load_rates(session, [entry])
    audit.record(
        session,
        actor=actor,
        action="service.rate",
        entity_type="exchange_rate",
        entity_id=f"{currency}@{day.isoformat()}",
        reason=str(rate),
    )
    return entry
