"""Timeline events of referrals and delegations, written through the cases domain.

Events a delegated partner may see are linked to its delegation (``case_delegation_event``):
the partner's own actions and notes, and the representation's notes addressed to it.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases import timeline
from peduli.cases.models import Case, CaseEvent, EventKind, Visibility
from peduli.partners.models import DelegationEvent

REFERRAL = "referral"
DELEGATION = "delegation"
PARTNER_NOTE = "partner_note"
INFO_REQUEST = "info_request"


def add(
    session: Session,
    case: Case,
    *,
    kind: str,
    actor: Actor | None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
    delegation_id: uuid.UUID | None = None,
) -> CaseEvent:
    """Append an event to the case timeline; show it to the delegated partner if given."""
    # The cases domain's kinds do not list ours; the column is free text by design.
    event = timeline.add_event(
        session,
        case,
        kind=cast(EventKind, kind),
        actor=actor,
        text=text,
        visibility=Visibility.INTERNAL,
        data=data,
    )
    session.flush()
    if delegation_id is not None:
        session.add(DelegationEvent(delegation_id=delegation_id, event_seq=event.seq))
    return event
