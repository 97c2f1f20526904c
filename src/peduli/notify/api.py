"""Notify HTTP API: the dead letters and putting them back in line (staff), and the SMS
gateway's delivery reports (the gateway, by its token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy.orm import Session

from peduli.api.deps import PUBLIC, SMS_GATEWAY, DbSession, DeliveryReportsDb, require_scope
from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.auth.policy import require_role
from peduli.auth.roles import DEAD_LETTER_READERS, DEAD_LETTER_RETRIERS
from peduli.auth.scopes import NOTIFY_READ, NOTIFY_WRITE
from peduli.notify import dead_letters, receipts
from peduli.notify.models import ChannelName
from peduli.notify.schemas import (
    DeadLetterPage,
    DeadLetterRead,
    DeadLetterRetry,
    DeadLettersRetried,
    ReceiptsRecorded,
    SmsDeliveryReports,
)

router = APIRouter(tags=["notify"])
Reader = Annotated[Actor, Depends(require_scope(NOTIFY_READ))]
Writer = Annotated[Actor, Depends(require_scope(NOTIFY_WRITE))]
PER_PAGE = 50
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/notify/dead-letters", response_model=DeadLetterPage)
def list_dead_letters(
    actor: Reader,
    db: DbSession,
    response: Response,
    channel: Annotated[ChannelName | None, Query(description="Only this channel.")] = None,
    page: Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")] = 1,
) -> DeadLetterPage:
    """Messages the outbox gave up on (HQ), newest failure first, recipients masked."""
    response.headers.update(NO_STORE)
    require_role(db, actor, roles=DEAD_LETTER_READERS, action="notify.dead_letters.list")
    rows, total = dead_letters.list_dead(
        db, channel=channel.value if channel else None, page=page, per_page=PER_PAGE
    )
    return DeadLetterPage(
        page=page,
        per_page=PER_PAGE,
        total=total,
        items=[
            DeadLetterRead(
                id=row.id,
                channel=row.channel,
                recipient=dead_letters.masked_recipient(row),
                subject=row.subject,
                attempts=row.attempts,
                last_error=row.last_error,
                created_at=row.created_at,
                failed_at=row.next_attempt_at,
            )
            for row in rows
        ],
    )


@router.post("/notify/dead-letters/retry", response_model=DeadLettersRetried)
def retry_dead_letters(body: DeadLetterRetry, actor: Writer, db: DbSession) -> DeadLettersRetried:
    """Put every dead letter (or one channel's) back in line with fresh attempts (HQ admin)."""
    channel = body.channel.value if body.channel else None
    return DeadLettersRetried(
        retried=put_dead_letters_back(db, actor, message_id=None, channel=channel)
    )


@router.post("/notify/dead-letters/{message_id}/retry", response_model=DeadLettersRetried)
def retry_dead_letter(
    message_id: Annotated[int, Path(ge=1, le=2**62)], actor: Writer, db: DbSession
) -> DeadLettersRetried:
    """Put one dead letter back in line with fresh attempts (HQ admin)."""
    return DeadLettersRetried(
        retried=put_dead_letters_back(db, actor, message_id=message_id, channel=None)
    )


def put_dead_letters_back(
    db: Session, actor: Actor, *, message_id: int | None, channel: str | None
) -> int:
    """Put dead letters back in line for ``actor`` (HQ admins only), audited; how many.

    The staff pages call it too, so the API and the page cannot differ on who may retry."""
    require_role(db, actor, roles=DEAD_LETTER_RETRIERS, action="notify.dead_letters.retry")
    count = dead_letters.retry(db, message_id=message_id, channel=channel)
    audit.record(
        db,
        actor=actor,
        action="notify.dead_letters.retry",
        entity_type="outbox_message",
        entity_id=str(message_id) if message_id is not None else (channel or "all"),
        fields=("status", "attempts"),
        reason=f"{count} message(s) put back in line",
    )
    return count


@router.post(
    "/channels/sms/delivery-reports",
    response_model=ReceiptsRecorded,
    dependencies=[PUBLIC, SMS_GATEWAY],
)
def sms_delivery_reports(body: SmsDeliveryReports, db: DeliveryReportsDb) -> ReceiptsRecorded:
    """The SMS gateway's delivery reports (DLR): which sent messages reached the phone; in a
    lane of their own (``api.turns``), so a slow batch never holds people's requests."""
    reports = [receipts.SmsReport(r.id, r.status, r.reference, r.at) for r in body.reports]
    return ReceiptsRecorded(recorded=receipts.record_sms_reports(db, reports))
