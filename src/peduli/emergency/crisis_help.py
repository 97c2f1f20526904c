"""A crisis check-in's "I need help" as an emergency: alerted and escalated like an SOS.

The crisis domain opens the person's case for the crisis (one per person and crisis) and
calls these; everything after (alerts, escalation, acknowledging) is the emergency domain's.
"""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.orm import Session

from peduli.cases.models import Case, EventKind
from peduli.cases.timeline import add_event
from peduli.core.crypto import CONTACT_PURPOSE, get_cipher
from peduli.core.db import utcnow
from peduli.core.insert_new import insert_new
from peduli.emergency import workflow
from peduli.emergency.models import CRISIS_HELP_KIND, Emergency, EmergencySource


def raise_for_crisis_help(
    session: Session,
    *,
    case_id: uuid.UUID,
    case_reference: str,
    representation_code: str,
    phone: str | None,
) -> Emergency:
    """A crisis check-in's "I need help": an emergency on its case, alerted like an SOS.

    The crisis opens the person's case (one per person and crisis, so one emergency each).
    The duty officer's alerts are step 0 as for an SOS, written by the worker within a second
    (``alerting.alert_pending_calls``, in batches: a crisis brings calls for help by the
    thousand, and the check-in stays cheap); the periodic escalation then takes over an
    emergency nobody acknowledges, as for any SOS.
    """
    now = utcnow()
    emergency = Emergency(
        id=uuid.uuid4(),
        case_id=case_id,
        case_reference=case_reference,
        representation_code=representation_code,
        source=EmergencySource.CRISIS.value,
        kind=CRISIS_HELP_KIND,
        # A later SOS from the same phone joins this emergency instead of paging again.
        contact_index=get_cipher().blind_index(phone, purpose=CONTACT_PURPOSE) if phone else None,
        created_at=now,
        escalation_level=0,
        ack_due_at=now + workflow.ack_window(),
        alert_pending=True,
    )
    insert_new(session, [emergency])  # a new row: no unit of work to consult
    return emergency


def crisis_help_again(session: Session, *, case_id: uuid.UUID, note: str | None) -> None:
    """A repeated "I need help" in the same crisis: on the case's timeline, nobody paged again."""
    session.execute(
        update(Emergency)
        .where(Emergency.case_id == case_id)
        .values(repeats=Emergency.repeats + 1)
        .execution_options(synchronize_session=False)
    )
    add_event(
        session,
        session.get_one(Case, case_id),
        kind=EventKind.NOTE,
        actor=None,
        text="Asked for help again" + (f": {note}" if note else "."),
        data={"crisis_help_repeat": True},
    )
