"""Proof of self-report: a signed document (``peduli.documents``) for one stay.

The QR code carries the holder's name and date of birth, the post, and the issue and expiry
dates, signed with the platform's document key: anyone can check it with the verify page,
even offline. Rotating the key does not invalidate proofs already issued (the retired key
stays in the trust list), and rotating ``PEDULI_SECRET_KEY`` no longer touches them.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.documents import service as documents
from peduli.documents.models import DocumentKind
from peduli.registry.models import Person, Stay

VALID_DAYS = 180  # a proof speaks of a stay as it was: ask for a fresh one after half a year


def issue_proof(
    session: Session, *, person: Person, stay: Stay, today: date, actor: Actor | None = None
) -> documents.Issued:
    """Sign and register a proof that ``person`` reported ``stay``, valid ``VALID_DAYS``."""
    return documents.issue(
        session,
        kind=DocumentKind.SELF_REPORT,
        holder_person_id=person.id,
        name=person.full_name,
        birth_date=person.date_of_birth,
        representation_code=stay.representation_code or "",
        expires_on=today + timedelta(days=VALID_DAYS),
        actor=actor,
    )
