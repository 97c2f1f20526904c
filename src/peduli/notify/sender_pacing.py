"""Pacing each channel's senders within their rate limits, as token buckets in the database.

A provider paces each sending identity (an SMS sender id: 1–1,000 messages a second; a
WhatsApp business number: 80–1,000; a Telegram bot: about 30). A worker's claim
transaction locks the channel's sender rows, refills their buckets for the time passed,
claims at most as many messages as they hold whole tokens, and takes one token per claimed
message, round robin over the senders, before it commits. The limit holds across any
number of workers; no token is taken for a message that was not there; the sender rows
stay locked for one claim statement (a few milliseconds, while another worker's claim
waits).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from peduli.core.config import Settings
from peduli.core.db import insert_on_conflict
from peduli.notify.models import ChannelName, NotifySender


@dataclass(frozen=True)
class SenderSpec:
    """A sender as configured: its name at the provider and its pace."""

    name: str
    rate_per_second: float
    burst: float


def parse_senders(spec: str) -> list[SenderSpec]:
    """Read ``"NAME=RATE[/BURST],…"``, e.g. ``"PEDULI=100,+6281100000001=50/100"``.

    The burst (bucket size) defaults to one second of the rate.
    """
    senders = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        name, separator, pace = item.rpartition("=")
        if not separator or not name:
            raise ValueError(f"sender {item!r} must look like NAME=RATE or NAME=RATE/BURST")
        rate_text, _, burst_text = pace.partition("/")
        rate = float(rate_text)
        burst = float(burst_text) if burst_text else max(rate, 1.0)
        if rate <= 0 or burst < 1:
            raise ValueError(f"sender {item!r} needs a rate above 0 and a burst of at least 1")
        senders.append(SenderSpec(name=name.strip(), rate_per_second=rate, burst=burst))
    return senders


def configured_senders(settings: Settings) -> dict[str, list[SenderSpec]]:
    """The senders of each channel the operator configured (channels left out: no limit)."""
    return {
        ChannelName.SMS.value: parse_senders(settings.sms_senders),
        ChannelName.WHATSAPP.value: parse_senders(settings.whatsapp_senders),
        ChannelName.TELEGRAM.value: parse_senders(settings.telegram_senders),
    }


def sync_senders(session: Session, configured: Mapping[str, Sequence[SenderSpec]]) -> None:
    """Make the sender table say what the settings say; safe for workers starting at once.

    New senders start with a full bucket; a changed rate keeps the tokens in hand; senders
    no longer configured are disabled (kept, since outbox rows name them).
    """
    for channel, specs in configured.items():
        for spec in specs:
            statement = insert_on_conflict(session, NotifySender).values(
                channel=channel,
                name=spec.name,
                rate_per_second=spec.rate_per_second,
                burst=spec.burst,
                tokens=spec.burst,
                enabled=True,
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["channel", "name"],
                    set_={
                        "rate_per_second": statement.excluded.rate_per_second,
                        "burst": statement.excluded.burst,
                        "enabled": True,
                    },
                )
            )
        names = [spec.name for spec in specs]
        session.execute(
            update(NotifySender)
            .where(NotifySender.channel == channel, NotifySender.name.not_in(names))
            .values(enabled=False)
        )


# Tokens kept back from ordinary claims for the worker's urgent lane (calls for help, sign-in
# codes): this many seconds of the channel's rate, at least one token.
URGENT_RESERVE_SECONDS = 0.05


@dataclass
class _Bucket:
    id: int
    name: str
    tokens: float
    taken: int = 0


@dataclass(frozen=True)
class Allowance:
    """What a channel may claim now: ``limit`` messages (None: unlimited) over ``senders``."""

    limit: int | None
    buckets: Sequence[_Bucket]

    @property
    def throttled(self) -> bool:
        """Whether the buckets, not the batch size, bound this claim."""
        return self.limit is not None


# Built once: every claim runs it, and building an ORM statement costs more than running it.
_LOCK_SENDERS = (
    select(
        NotifySender.id,
        NotifySender.name,
        NotifySender.rate_per_second,
        NotifySender.burst,
        NotifySender.tokens,
        NotifySender.refilled_at,
    )
    .where(NotifySender.channel == bindparam("channel"), NotifySender.enabled.is_(True))
    .order_by(NotifySender.id)
    .with_for_update()
)


def lock_and_refill(
    session: Session, *, channel: str, now: datetime, want: int, keep_reserve: bool = True
) -> Allowance:
    """Lock the channel's enabled senders and say how many messages they allow now.

    Unless ``keep_reserve`` is false (the urgent lane's claims), ``URGENT_RESERVE_SECONDS``
    of the senders' rate stays in the buckets: a broadcast's batches otherwise take every
    token the moment it appears, and a call for help queued behind them would wait for the
    throttle like any other message. The reserve costs no throughput, only that much burst.
    """
    rows = session.execute(_LOCK_SENDERS, {"channel": channel}).all()
    if not rows:
        return Allowance(limit=None, buckets=())
    buckets = []
    for row in rows:
        elapsed = max((now - row.refilled_at).total_seconds(), 0.0)
        tokens = min(row.burst, row.tokens + elapsed * row.rate_per_second)
        buckets.append(_Bucket(id=row.id, name=row.name, tokens=tokens))
    available = sum(math.floor(b.tokens) for b in buckets)
    if keep_reserve:
        reserve = math.ceil(sum(row.rate_per_second for row in rows) * URGENT_RESERVE_SECONDS)
        available = max(available - reserve, 0)
    return Allowance(limit=available if available < want else None, buckets=buckets)


def assign(allowance: Allowance, count: int) -> list[str | None]:
    """Name a sender for each of ``count`` claimed messages, taking one token each.

    Round robin over the senders that still hold a whole token, so a batch is spread evenly.
    """
    if not allowance.buckets:
        return [None] * count
    names: list[str | None] = []
    live = [b for b in allowance.buckets if b.tokens - b.taken >= 1]
    while len(names) < count and live:
        for bucket in live:
            if len(names) == count:
                break
            names.append(bucket.name)
            bucket.taken += 1
        live = [b for b in live if b.tokens - b.taken >= 1]
    # Claims never exceed the whole tokens, so every message has a sender.
    return names


def store_buckets(session: Session, buckets: Iterable[_Bucket], *, now: datetime) -> None:
    """Write the refilled buckets back, less the tokens taken."""
    values = [{"b_id": b.id, "b_tokens": b.tokens - b.taken} for b in buckets]
    if values:
        session.execute(
            update(NotifySender.__table__)  # type: ignore[arg-type]
            .where(NotifySender.__table__.c.id == bindparam("b_id"))
            .values(tokens=bindparam("b_tokens"), refilled_at=now),
            values,
        )
