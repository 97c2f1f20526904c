"""The records linkage compares are read from the registry as it stores them."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from peduli.registry import service
from peduli.registry.linkage.names import name_tokens
from peduli.registry.linkage.records import load_records, load_with_candidates
from tests.factories import nik, report, staff

BORN = date(1988, 3, 14)


def test_the_name_tokens_come_from_the_stored_name_key_as_folded_from_the_full_name(
    db: Session,
) -> None:
    full_name = "Hj. Siti Nur Aminah binti Moh. Djoko"
    person = service.submit_self_report(
        db,
        report=report(
            full_name=full_name, date_of_birth=BORN, sex="F", nik=nik(born=BORN, sex="F"),
            passport_number="C1234567", phone="+821012345678", email=None,
        ),
        actor=staff(),
    ).person  # fmt: skip
    expected = name_tokens(full_name)
    assert expected[:4] == ("siti", "nur", "aminah", "muhammad")  # title and binti dropped
    assert load_records(db, [person.id])[person.id].tokens == expected
    assert load_with_candidates(db, person)[person.id].tokens == expected
