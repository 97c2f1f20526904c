"""A citizen's erasure as the cases see it: the case stays, the person in it is a pseudonym.

The law on archives keeps a protection case (category, dates, outcomes, the officers'
timeline). What identifies the citizen in it goes: the name and phone copied onto the
case's people, and what the citizen wrote when asking for help themselves (the summary
and the contact-back details). The registry row it points at is pseudonymised by
``registry.rights``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from peduli.cases.models import Case, CaseEvent, CasePerson
from peduli.registry.rights import ErasureStep

# What stays of a summary the citizen wrote (the case record keeps its category and dates).
ERASED_TEXT = "[erased at the citizen's request]"


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def erase_people(
    session: Session, person_ids: Sequence[uuid.UUID], account_id: uuid.UUID | None
) -> int:
    """Blank the people's names and phones on cases, and what the citizen wrote in them."""
    changed = _count(
        session.execute(
            update(CasePerson)
            .where(CasePerson.person_id.in_(person_ids))
            .values(name=None, phone_encrypted=None)
            .execution_options(synchronize_session=False)
        )
    )
    if account_id is None:
        return changed
    changed += _count(
        session.execute(
            update(CaseEvent)
            .where(CaseEvent.actor_account_id == account_id, CaseEvent.text.is_not(None))
            .values(text=ERASED_TEXT)
            .execution_options(synchronize_session=False)
        )
    )
    changed += _count(
        session.execute(
            update(Case)
            .where(Case.requester_account_id == account_id)
            .values(
                summary=ERASED_TEXT,
                contact_phone_encrypted=None,
                contact_email_encrypted=None,
                contact_city=None,
                requester_account_id=None,
            )
            .execution_options(synchronize_session=False)
        )
    )
    return changed


STEP = ErasureStep("cases", erase_people)
