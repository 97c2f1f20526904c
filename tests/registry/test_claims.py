"""Claiming a record needs proof: a NIK alone never changes a record or links an account.

A citizen's report naming a record not linked to them is kept as a pending claim; it is
proven by a code sent to a contact the record already trusts, or by an officer's document
check; an officer may merge it or refuse it. Only then does anything reach the record.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import SYSTEM, Role
from peduli.auth.audit import AuditEntry
from peduli.core.errors import Conflict, Forbidden, TooManyRequests, ValidationFailed
from peduli.notify.models import OutboxMessage
from peduli.registry import claim_decisions, claims, service
from peduli.registry.models import (
    ClaimProof,
    ClaimStatus,
    ContactPoint,
    IdentityClaim,
    Passport,
    Person,
    Stay,
)
from tests.factories import KUALA_LUMPUR, nik, refreshed, report, signed_in_citizen, staff
from tests.outbox import messages_to, opened, recipients

VICTIM = {"email": "victim@example.org", "phone": "+821011112222", "passport_number": "C1234567"}
CLAIMANT = {
    "email": "claimant@example.org",
    "phone": "+821099998888",
    "passport_number": "C7777777",
    "city": "Busan",
    "latitude": 35.1796,
    "longitude": 129.0756,
}


def _victim(db: Session) -> Person:
    """A record an officer made (its contacts are trusted); no account is linked to it."""
    outcome = service.submit_self_report(db, report=report(**VICTIM), actor=staff())
    db.commit()
    assert isinstance(outcome, service.SelfReportOutcome)
    return outcome.person


def _claim(db: Session, claimant_address: str = "claimant@example.org", **extra: object):
    citizen = signed_in_citizen(db, claimant_address)
    outcome = service.submit_self_report(db, report=report(**CLAIMANT | extra), actor=citizen)
    db.commit()
    assert isinstance(outcome, service.PendingClaim)
    return citizen, outcome.claim


def _contacts(db: Session, person: Person) -> dict[str, ContactPoint]:
    rows = db.scalars(select(ContactPoint).where(ContactPoint.person_id == person.id))
    return {c.value: c for c in rows}


def _current_passports(db: Session, person: Person) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(Passport)
            .where(Passport.person_id == person.id, Passport.is_current.is_(True))
        )
        or 0
    )


def _stays(db: Session, person: Person) -> int:
    return db.scalar(select(func.count()).select_from(Stay).where(Stay.person_id == person.id)) or 0


def test_two_reports_with_a_known_nik_neither_change_the_record_nor_link_the_account(
    db: Session,
) -> None:
    victim = _victim(db)
    attacker = signed_in_citizen(db, "claimant@example.org")
    for _ in range(2):
        service.submit_self_report(db, report=report(**CLAIMANT), actor=attacker)
        db.commit()
        attacker = refreshed(db, attacker)
    assert attacker.person_id is None, "the second report linked the attacker's account"
    contacts = _contacts(db, victim)
    assert set(contacts) == {VICTIM["email"], VICTIM["phone"]}
    assert all(c.is_primary and c.trusted_at for c in contacts.values())
    assert _stays(db, victim) == 1
    passports = db.scalars(select(Passport).where(Passport.person_id == victim.id)).all()
    assert [p.is_current for p in passports] == [True]
    pending = db.scalars(select(IdentityClaim).where(IdentityClaim.person_id == victim.id)).all()
    assert [c.status for c in pending] == [ClaimStatus.PENDING] * 2
    # The report is kept whole, and sealed.
    assert claims.report_of(pending[0]).email == CLAIMANT["email"]
    assert CLAIMANT["email"] not in pending[0].report_encrypted


def test_a_claim_is_proven_by_a_code_sent_to_a_contact_the_record_trusts(db: Session) -> None:
    victim = _victim(db)
    citizen, claim = _claim(db)
    claims.send_code(db, claim_id=claim.id, actor=citizen)
    db.commit()
    codes_to = db.scalars(
        select(OutboxMessage).where(OutboxMessage.idempotency_key.like("claim-code:%"))
    ).all()
    # Only the contacts the record trusted: never one the claim brought.
    assert sorted(opened(m) for m in codes_to) == sorted([VICTIM["email"], VICTIM["phone"]])
    sent = [m for m in codes_to if opened(m) == VICTIM["email"]]
    code = re.search(r"\b(\d{6})\b", sent[0].body).group(1)  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed):
        claims.prove_by_code(
            db, claim_id=claim.id, code="000000" if code != "000000" else "1", actor=citizen
        )
    db.rollback()
    claims.prove_by_code(db, claim_id=claim.id, code=code, actor=citizen)
    db.commit()
    assert refreshed(db, citizen).person_id == victim.id
    assert db.get_one(IdentityClaim, claim.id).status == ClaimStatus.PROVEN
    assert _stays(db, victim) == 2 and _current_passports(db, victim) == 1
    contacts = _contacts(db, victim)
    # The code came back from the sign-in address: trusted and primary; the old one kept.
    assert contacts[CLAIMANT["email"]].trusted_at and contacts[CLAIMANT["email"]].is_primary
    assert not contacts[VICTIM["email"]].is_primary and contacts[VICTIM["email"]].trusted_at
    # The claim's phone was never proven: kept, not primary, not trusted.
    assert contacts[CLAIMANT["phone"]].trusted_at is None
    assert not contacts[CLAIMANT["phone"]].is_primary
    actions = set(db.scalars(select(AuditEntry.action)))
    assert {"identity_claim.create", "identity_claim.code_sent", "identity_claim.code"} <= actions


def test_claims_by_many_accounts_do_not_flood_the_records_contacts(db: Session) -> None:
    _victim(db)
    first, second, third = (_claim(db, f"claimant{n}@example.org") for n in range(3))
    for citizen, claim in (first, second):  # two claims, three codes each: the record's six
        for _ in range(claims.CODES_PER_CLAIM_PER_HOUR):
            claims.send_code(db, claim_id=claim.id, actor=citizen)
            db.commit()
    citizen, claim = third
    with pytest.raises(TooManyRequests):
        claims.send_code(db, claim_id=claim.id, actor=citizen)


def test_an_account_naming_record_after_record_is_held_off(db: Session) -> None:
    victim = _victim(db)
    citizen = signed_in_citizen(db, "prober@example.org")
    for _ in range(claims.CLAIMS_PER_ACCOUNT_PER_DAY):
        outcome = service.submit_self_report(db, report=report(**CLAIMANT), actor=citizen)
        assert isinstance(outcome, service.PendingClaim)
        db.commit()
    with pytest.raises(TooManyRequests):
        service.submit_self_report(db, report=report(**CLAIMANT), actor=citizen)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(IdentityClaim)) == 3
    assert _stays(db, victim) == 1


def test_reports_of_niks_not_on_record_count_like_claims(db: Session) -> None:
    """The fourth NIK an account names is refused whether or not it is on record, so the
    refusal does not tell which is."""
    citizen = signed_in_citizen(db, "prober@example.org")
    for serial in range(claims.CLAIMS_PER_ACCOUNT_PER_DAY):
        fresh = report(nik=nik(serial=100 + serial), passport_number=f"C55500{serial:02d}")
        service.submit_self_report(db, report=fresh, actor=citizen)
        db.commit()
        citizen = refreshed(db, citizen)
    with pytest.raises(TooManyRequests):
        service.submit_self_report(db, report=report(nik=nik(serial=199)), actor=citizen)
    db.rollback()
    # Reporting again with the citizen's own NIK is not probing: it is not counted.
    own = report(nik=nik(serial=100), passport_number="C5550000")
    assert isinstance(
        service.submit_self_report(db, report=own, actor=citizen), service.SelfReportOutcome
    )


def test_a_code_never_goes_to_a_contact_the_record_does_not_trust(db: Session) -> None:
    owner = signed_in_citizen(db, "owner@example.org")
    created = service.submit_self_report(
        db, report=report(email="owner@example.org", phone="+821055556666"), actor=owner
    )
    db.commit()
    assert isinstance(created, service.SelfReportOutcome)
    # The phone was typed in the report, no code reached it: not trusted, not primary.
    phone = _contacts(db, created.person)["+821055556666"]
    assert phone.trusted_at is None and not phone.is_primary
    citizen, claim = _claim(db)
    db.execute(OutboxMessage.__table__.delete())
    claims.send_code(db, claim_id=claim.id, actor=citizen)
    db.commit()
    assert recipients(db) == ["owner@example.org"]


def test_signing_in_with_an_untrusted_contact_does_not_reach_the_record(db: Session) -> None:
    owner = signed_in_citizen(db, "owner@example.org")
    service.submit_self_report(
        db, report=report(email="owner@example.org", phone="+821055556666"), actor=owner
    )
    db.commit()
    # Someone signs in with the untrusted phone and reports the NIK: a claim, no link.
    other = signed_in_citizen(db, "+821055556666")
    outcome = service.submit_self_report(db, report=report(email=None), actor=other)
    db.commit()
    assert isinstance(outcome, service.PendingClaim)
    assert refreshed(db, other).person_id is None


def test_a_claim_is_proven_by_an_officers_document_check(db: Session) -> None:
    victim = _victim(db)
    citizen, claim = _claim(db)
    assert claim.representation_code == "kbri-seoul"
    with pytest.raises(Forbidden):
        claim_decisions.check_document(
            db, claim_id=claim.id, document_kind="passport", document_digits="7777",
            method="video", actor=staff(Role.OFFICER, "kbri-kuala-lumpur"),
        )  # fmt: skip
    db.rollback()
    with pytest.raises(ValidationFailed) as error:
        claim_decisions.check_document(
            db, claim_id=claim.id, document_kind="photo", document_digits="7",
            method="whatsapp", actor=staff(),
        )  # fmt: skip
    assert {p.field for p in error.value.problems} == {
        "document_kind", "document_digits", "method",
    }  # fmt: skip
    db.rollback()
    officer = staff()
    claim_decisions.check_document(
        db, claim_id=claim.id, document_kind="passport", document_digits="7777",
        method="video", actor=officer,
    )  # fmt: skip
    db.commit()
    decided = db.get_one(IdentityClaim, claim.id)
    assert decided.status == ClaimStatus.PROVEN and decided.proof == "document_check"
    assert (decided.document_kind, decided.document_digits, decided.check_method) == (
        "passport", "7777", "video",
    )  # fmt: skip
    assert decided.decided_by == officer.account_id
    assert refreshed(db, citizen).person_id == victim.id
    assert _stays(db, victim) == 2
    # The claimant is told, at their sign-in address.
    told = [m.idempotency_key for m in messages_to(db, CLAIMANT["email"])]
    assert f"identity-claim:{claim.id}:proven" in told
    with pytest.raises(Conflict):
        claim_decisions.refuse(db, claim_id=claim.id, reason="too late now", actor=officer)


def test_a_refused_claim_leaves_the_record_and_tells_the_claimant_why(db: Session) -> None:
    victim = _victim(db)
    citizen, claim = _claim(db, language="fr")
    with pytest.raises(ValidationFailed):
        claim_decisions.refuse(db, claim_id=claim.id, reason=" ", actor=staff())
    db.rollback()
    claim_decisions.refuse(db, claim_id=claim.id, reason="Passeport différent", actor=staff())
    db.commit()
    assert db.get_one(IdentityClaim, claim.id).status == ClaimStatus.REFUSED
    assert refreshed(db, citizen).person_id is None
    assert _stays(db, victim) == 1 and set(_contacts(db, victim)) == {
        VICTIM["email"], VICTIM["phone"],
    }  # fmt: skip
    told = [m for m in messages_to(db, CLAIMANT["email"]) if "Passeport différent" in m.body]
    assert len(told) == 1
    assert "Nous n'avons pas pu confirmer" in told[0].body, "in the claimant's language"
    with pytest.raises(Conflict):
        claims.send_code(db, claim_id=claim.id, actor=citizen)


def test_an_officer_merges_a_claim_into_the_record_without_linking_the_account(
    db: Session,
) -> None:
    victim = _victim(db)
    citizen, claim = _claim(db)
    claim_decisions.merge(db, claim_id=claim.id, confirm_contacts=False, actor=staff())
    db.commit()
    assert db.get_one(IdentityClaim, claim.id).status == ClaimStatus.MERGED
    assert refreshed(db, citizen).person_id is None
    assert _stays(db, victim) == 2
    passports = db.scalars(select(Passport).where(Passport.person_id == victim.id)).all()
    assert sorted(p.is_current for p in passports) == [False, True], "the old one kept as history"
    contacts = _contacts(db, victim)
    assert contacts[VICTIM["email"]].is_primary, "an unconfirmed contact does not take over"
    assert contacts[CLAIMANT["email"]].trusted_at is None


def test_an_officer_merging_with_confirmed_contacts_makes_them_trusted(db: Session) -> None:
    victim = _victim(db)
    _citizen, claim = _claim(db)
    claim_decisions.merge(db, claim_id=claim.id, confirm_contacts=True, actor=staff())
    db.commit()
    contacts = _contacts(db, victim)
    assert contacts[CLAIMANT["phone"]].trust_source == "officer"
    assert contacts[CLAIMANT["phone"]].is_primary and not contacts[VICTIM["phone"]].is_primary


def test_claims_of_another_post_are_not_in_an_officers_queue(db: Session) -> None:
    _victim(db)
    _claim(db)
    _claim(db, "other@example.org", **KUALA_LUMPUR)  # still the Seoul record's claim
    total, rows = claim_decisions.pending_claims(db, actor=staff(), limit=10, offset=0)
    assert total == 2 and {r.representation_code for r in rows} == {"kbri-seoul"}
    kl = staff(representation_code="kbri-kuala-lumpur")
    assert claim_decisions.pending_claims(db, actor=kl, limit=10, offset=0)[0] == 0
    total, _rows = claim_decisions.pending_claims(
        db, actor=staff(Role.HQ_ADMIN), limit=10, offset=0
    )
    assert total == 2
    listed = db.scalars(select(AuditEntry).where(AuditEntry.action == "queue.identity_claims"))
    assert len(listed.all()) == 2  # the two pages that showed claims; KL's empty one did not


def test_a_claim_is_decided_by_the_records_post_not_the_one_the_claimant_reports(
    db: Session,
) -> None:
    victim = _victim(db)  # served by Seoul
    _citizen, claim = _claim(db, "far@example.org", **KUALA_LUMPUR)
    assert claim.representation_code == "kbri-seoul"
    with pytest.raises(Forbidden):
        claim_decisions.check_document(
            db, claim_id=claim.id, actor=staff(representation_code="kbri-kuala-lumpur"),
            document_kind="passport", document_digits="4567", method="in_person",
        )  # fmt: skip
    db.rollback()
    assert _stays(db, victim) == 1
    claim_decisions.check_document(
        db, claim_id=claim.id, actor=staff(), document_kind="passport",
        document_digits="4567", method="in_person",
    )  # fmt: skip
    db.commit()
    assert db.get_one(IdentityClaim, claim.id).status == ClaimStatus.PROVEN


def test_the_civil_registry_proof_is_given_by_the_worker_not_by_a_citizen(db: Session) -> None:
    _victim(db)
    citizen, claim = _claim(db)
    with pytest.raises(Forbidden):
        claim_decisions.prove_by_civil_registry(db, claim_id=claim.id, actor=citizen)
    db.rollback()
    claim_decisions.prove_by_civil_registry(db, claim_id=claim.id, actor=SYSTEM)
    db.commit()
    proven = db.get_one(IdentityClaim, claim.id)
    assert (proven.status, proven.proof) == (ClaimStatus.PROVEN, ClaimProof.CIVIL_REGISTRY)
