"""A citizen's erasure, the agencies' part: their checks are deleted, and the bodies of the
messages exchanged about them (NIK, names) are emptied. The message log keeps each entry's
envelope and hashes, so the chain still verifies and the trail still shows that an agency
was asked, when and why."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from peduli.agencies.models import AgencyMessage, PersonVerification
from peduli.registry.rights import ErasureStep


def erase_people(
    session: Session, person_ids: Sequence[uuid.UUID], account_id: uuid.UUID | None
) -> int:
    """Delete the people's checks and empty the bodies of their messages; rows changed."""
    checks = session.execute(
        delete(PersonVerification)
        .where(PersonVerification.person_id.in_(person_ids))
        .execution_options(synchronize_session=False)
    )
    bodies = session.execute(
        update(AgencyMessage)
        .where(AgencyMessage.person_id.in_(person_ids), AgencyMessage.body.is_not(None))
        .values(body=None)
        .execution_options(synchronize_session=False)
    )
    return int(checks.rowcount or 0) + int(bodies.rowcount or 0)  # type: ignore[attr-defined]


ERASURE_STEP = ErasureStep("agency_messages", erase_people)
