"""In-app notices: delivering one writes the notice a person's pages show.

The "provider" is our own database, so delivery is a single INSERT per batch in its own
transaction, keyed by the idempotency key: a re-sent batch leaves one notice per message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from peduli.core.db import get_sessionmaker, insert_on_conflict, utcnow
from peduli.notify.models import Notice
from peduli.notify.ports import DeliveryResult, DeliveryStatus, OutboundMessage


class InAppChannel:
    """Writes notices; ``session_factory`` defaults to the process's database."""

    def __init__(self, session_factory: Callable[[], Session] | None = None) -> None:
        self._session_factory = session_factory

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        """Store one notice per message (once per key) and answer each with its notice id."""
        if not messages:
            return []
        factory = self._session_factory or get_sessionmaker()
        now = utcnow()
        unique = {m.idempotency_key: m for m in messages}
        rows = [
            {
                "recipient": m.recipient,
                "subject": m.subject[:255],
                "body": m.body,
                "idempotency_key": m.idempotency_key,
                "created_at": now,
            }
            for m in unique.values()
        ]
        with factory() as session, session.begin():
            statement = insert_on_conflict(session, Notice).values(rows)
            statement = statement.on_conflict_do_update(
                index_elements=["idempotency_key"],
                set_={"idempotency_key": statement.excluded.idempotency_key},
            ).returning(Notice.id, Notice.idempotency_key)
            ids = {row.idempotency_key: row.id for row in session.execute(statement)}
        return [
            DeliveryResult(m.id, DeliveryStatus.SENT, provider_message_id=f"notice-{ids[key]}")
            for m in messages
            if (key := m.idempotency_key) in ids
        ]
