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
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

from sqlalchemy.orm import Session

from peduli.cases import outcomes
from peduli.reference.places import representation_by_code

BASE_CURRENCY = "USD"
# Currencies counted without decimals (ISO 4217 minor unit 0).
WHOLE_CURRENCIES = frozenset({"KRW", "JPY", "IDR", "TWD"})


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
