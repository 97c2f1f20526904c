"""Fixtures of the document tests: a person on record, and documents issued to them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.documents import service
from peduli.registry.models import Person
from tests.web.officer_support import reported

SEOUL, KL = "kbri-seoul", "kbri-kuala-lumpur"


@pytest.fixture
def person(db: Session) -> Person:
    """Siti, reported at KBRI Seoul (committed)."""
    person_id = reported(db, full_name="Siti Nurhaliza Binti Abdullah", sex="F",
                         date_of_birth=date(1994, 2, 11))  # fmt: skip
    return db.get_one(Person, person_id)


def issue(db: Session, holder: Person, *, post: str = SEOUL, days: int = 180) -> service.Issued:
    """A proof of self-report for ``holder`` issued by ``post``, committed."""
    issued = service.issue(
        db,
        kind="self_report",
        holder_person_id=holder.id,
        name=holder.full_name,
        birth_date=holder.date_of_birth,
        representation_code=post,
        expires_on=utcnow().date() + timedelta(days=days),
    )
    db.commit()
    return issued


def tampered(payload: str) -> str:
    """The payload with the name inside changed and re-encoded, the signature kept."""
    import zlib

    import base45
    import cbor2

    from peduli.documents import codec

    cose = cbor2.loads(zlib.decompress(base45.b45decode(payload[len(codec.PREFIX) :])))
    protected, unprotected, body, signature = cose.value
    claims = cbor2.loads(body)
    claims[codec.CLAIM_DOCUMENT][1]["nm"] = "Someone Else"
    forged = cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature])
    return codec.PREFIX + base45.b45encode(zlib.compress(cbor2.dumps(forged))).decode()


__all__ = ["KL", "SEOUL", "issue", "person", "tampered", "uuid"]
