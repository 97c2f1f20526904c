"""The retention job: every class of personal data purged once its period has passed.

Each domain knows how to purge its own rows (``registry.retention``, ``notify.retention``,
``auth.retention``); this module is the one place that lists the classes with their
periods (settings ``PEDULI_RETENTION_*``), like ``peduli.jobs`` for periodic tasks. One
round purges one batch of every class; ``run_until_done`` repeats rounds, each in its own
transaction, until a round finds nothing, and reports the counts per class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from peduli.auth import retention as auth_retention
from peduli.conversations import retention as conversations_retention
from peduli.core.config import Settings, get_settings
from peduli.core.db import utcnow
from peduli.core.logging import get_logger
from peduli.notify import retention as notify_retention
from peduli.registry import drafts
from peduli.registry import retention as registry_retention
from peduli.voice import retention as voice_retention

log = get_logger(__name__)


@dataclass(frozen=True)
class DataClass:
    """A class of data, how long it is kept, and how one batch of it is purged."""

    name: str
    period: Callable[[Settings], timedelta]
    purge: Callable[[Session, datetime, int], int]  # (session, cutoff, limit) -> rows


DATA_CLASSES: tuple[DataClass, ...] = (
    DataClass(
        "departed_stays",
        lambda s: timedelta(days=s.retention_departed_stay_days),
        lambda session, cutoff, limit: registry_retention.purge_departed_stays(
            session, departed_before=cutoff.date(), limit=limit
        ),
    ),
    DataClass(
        "lapor_drafts",
        lambda s: timedelta(days=s.retention_draft_days),
        lambda session, cutoff, limit: drafts.purge_stale_drafts(
            session, updated_before=cutoff, limit=limit
        ),
    ),
    DataClass(
        "outbox_messages",
        lambda s: timedelta(days=s.retention_outbox_days),
        lambda session, cutoff, limit: notify_retention.purge_finished_messages(
            session, finished_before=cutoff, limit=limit
        ),
    ),
    DataClass(
        "sessions",
        lambda s: timedelta(days=s.retention_session_days),
        lambda session, cutoff, limit: auth_retention.purge_ended_sessions(
            session, ended_before=cutoff, limit=limit
        ),
    ),
    DataClass(
        "one_time_codes",
        lambda s: timedelta(days=s.retention_code_days),
        lambda session, cutoff, limit: auth_retention.purge_spent_codes(
            session, expired_before=cutoff, limit=limit
        ),
    ),
    DataClass(
        "voice_call_numbers",
        lambda s: timedelta(days=s.retention_voice_call_days),
        lambda session, cutoff, limit: voice_retention.purge_call_numbers(
            session, ended_before=cutoff, limit=limit
        ),
    ),
    DataClass(
        "quiet_conversations",
        lambda s: timedelta(days=s.retention_conversation_days),
        lambda session, cutoff, limit: conversations_retention.purge_quiet_conversations(
            session, quiet_since=cutoff, limit=limit
        ),
    ),
    DataClass(
        "sandbox_mail",
        lambda s: timedelta(days=s.retention_sandbox_days),
        lambda session, cutoff, limit: notify_retention.purge_sandbox_mail(
            session, received_before=cutoff, limit=limit
        ),
    ),
)


def purge_round(
    session: Session, *, now: datetime, settings: Settings | None = None
) -> dict[str, int]:
    """One batch of every data class past its period, in the caller's transaction."""
    settings = settings or get_settings()
    limit = settings.retention_batch_size
    return {
        item.name: item.purge(session, now - item.period(settings), limit) for item in DATA_CLASSES
    }


def run_until_done(
    session_factory: Callable[[], Session],
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    max_rounds: int = 10_000,
) -> dict[str, int]:
    """Purge everything past its period in batches, one transaction per round; the counts."""
    moment = now or utcnow()
    totals = dict.fromkeys((item.name for item in DATA_CLASSES), 0)
    for _round in range(max_rounds):
        with session_factory() as session, session.begin():
            purged = purge_round(session, now=moment, settings=settings)
        for name, count in purged.items():
            totals[name] += count
        if not any(purged.values()):
            break
    if any(totals.values()):
        log.info("retention purge", **totals)
    return totals


def purge_in_batches(session_factory: Callable[[], Session], now: datetime) -> int:
    """The worker's task (``peduli.jobs``): purge in batches, log the counts, the total."""
    return sum(run_until_done(session_factory, now=now).values())
