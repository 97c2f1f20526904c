"""A citizen's erasure empties the bodies of the messages about them and deletes their
checks; the message log still verifies and still shows that an agency was asked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.agencies import message_log, verification
from peduli.agencies.models import AgencyMessage, PersonVerification
from peduli.agencies.retention import erase_people
from peduli.agencies.sandbox.civil_registry import CivilRegistrySandbox
from peduli.core.db import get_sessionmaker, utcnow
from peduli.registry import service
from tests.factories import report, staff


def test_erasure_empties_bodies_and_the_chain_still_verifies(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    outcome = service.submit_self_report(db, report=report(), actor=staff())
    person_id = outcome.person.id  # type: ignore[union-attr]
    db.commit()
    now = utcnow()
    verification.run_due(get_sessionmaker(), now, since=now - timedelta(days=1))
    db.expire_all()
    # three checks (civil registry, immigration, BP2MI: a worker), two bodies each
    assert erase_people(db, [person_id], None) == 9
    db.commit()
    bodies = db.scalars(select(AgencyMessage.body).where(AgencyMessage.person_id == person_id))
    assert list(bodies) == [None] * 6
    assert db.scalar(select(func.count()).select_from(PersonVerification)) == 0
    assert message_log.verify(db).ok
