"""Undoing a merge from the pages: the evidence on the pair's screen, the merges on the person
screen of either record, the unmerge form (reason, reopen) for supervisors and HQ only, in
the reader's language."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.merging import STEPS
from peduli.registry import merging
from peduli.registry.models import DuplicateCandidate, Person, PersonMerge
from tests import factories
from tests.web.officer_support import HTML, csrf, reported, signed_in_officer

EVIDENCE = [
    {"comparison": "name", "outcome": "close", "weight": 4.2},
    {"comparison": "birth_date", "outcome": "exact", "weight": 6.5},
    {"comparison": "nik", "outcome": "missing", "weight": 0.0},
    {"comparison": "phone", "outcome": "different", "weight": -3.1},
]
REASON = "Two brothers born the same day; the passports differ."


def _pair(db: Session) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    first = reported(db, full_name="Muhammad Yusuf", nik=factories.nik())
    second = reported(
        db,
        full_name="Moh. Jusuf",
        nik=None,
        passport_number="C7654321",
        phone="+821099998888",
        email="jusuf@example.org",
        arrival_date=date(2025, 1, 10),
    )
    pair_id = db.scalars(select(DuplicateCandidate.id)).one()
    db.commit()
    return pair_id, first, second


def _merged(db: Session) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    pair_id, first, second = _pair(db)
    merging.merge(
        db, candidate_id=pair_id, keep_person_id=first, actor=factories.staff(), steps=STEPS
    )
    db.commit()
    return db.scalars(select(PersonMerge.id)).one(), first, second


def test_the_pair_screen_shows_each_comparison_with_both_values_and_a_signed_weight(
    client: TestClient, db: Session
) -> None:
    pair_id, _, _ = _pair(db)
    db.execute(
        update(DuplicateCandidate)
        .where(DuplicateCandidate.id == pair_id)
        .values(evidence=EVIDENCE, match_probability=0.973)
    )
    db.commit()
    signed_in_officer(client, db)
    page = client.get(f"/officer/duplicates/{pair_id}?lang=en").text
    assert "Probability that they are one person: 97.3 %." in page
    rows = re.findall(r'<tr class="officer-evidence-(\w+)">\s*<th scope="row">([^<]+)</th>', page)
    # strongest first, for or against, the codes read as words
    assert rows == [
        ("for", "Date of birth"),
        ("for", "Name"),
        ("against", "Phone"),
        ("none", "NIK"),
    ]
    assert "+6.5" in page and "-3.1" in page
    assert "+821099998888" in page  # the phones compared, side by side
    assert "nearly the same" in page and "missing on one side" in page


def test_a_pair_without_evidence_still_reads(client: TestClient, db: Session) -> None:
    pair_id, _, _ = _pair(db)
    # A pair flagged before record linkage scored pairs carries no evidence.
    db.execute(
        update(DuplicateCandidate)
        .where(DuplicateCandidate.id == pair_id)
        .values(evidence=[], match_probability=None)
    )
    db.commit()
    signed_in_officer(client, db)
    page = client.get(f"/officer/duplicates/{pair_id}?lang=en").text
    assert "compare the two records field by field below" in page
    assert "officer-evidence-" not in page
    assert page.count('class="officer-differs"') >= 3


def test_the_evidence_is_in_the_readers_language(client: TestClient, db: Session) -> None:
    pair_id, _, _ = _pair(db)
    db.execute(
        update(DuplicateCandidate).where(DuplicateCandidate.id == pair_id).values(evidence=EVIDENCE)
    )
    db.commit()
    signed_in_officer(client, db)
    page = client.get(f"/officer/duplicates/{pair_id}?lang=id").text
    assert "Hasil perbandingan" in page and "hampir sama" in page
    assert ">close<" not in page and ">birth_date<" not in page


@pytest.mark.parametrize("which", ["kept", "absorbed"])
def test_a_supervisor_undoes_the_merge_from_either_record(
    client: TestClient, db: Session, which: str
) -> None:
    merge_id, first, second = _merged(db)
    signed_in_officer(client, db, "head@example.org", Role.SUPERVISOR)
    person = first if which == "kept" else second
    screen = client.get(f"/officer/persons/{person}?lang=en")
    assert screen.status_code == 200
    link = f"/officer/merges/{merge_id}/unmerge"
    assert link in screen.text
    form = client.get(f"{link}?lang=en")
    assert "stays on it" in form.text  # rows added after the merge are said to stay
    read = select(AuditEntry.subject_person_id).where(AuditEntry.action == "person.read_merges")
    assert set(db.scalars(read)) == {first, second}  # the page's read of both is audited
    db.rollback()
    answer = client.post(
        link, data={"reason": REASON, "csrf_token": csrf(form.text)}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/officer/persons/{second}?done=unmerged"
    db.expire_all()
    assert db.get_one(Person, second).status == "active"
    assert db.scalars(select(DuplicateCandidate.status)).one() == "dismissed"
    db.rollback()
    done = client.get(answer.headers["location"] + "&lang=en").text
    assert "The merge is undone" in done and "Undone on" in done


def test_reopen_sends_the_pair_back_to_review(client: TestClient, db: Session) -> None:
    merge_id, _, _ = _merged(db)
    signed_in_officer(client, db, "head@example.org", Role.SUPERVISOR)
    form = client.get(f"/officer/merges/{merge_id}/unmerge")
    client.post(
        f"/officer/merges/{merge_id}/unmerge",
        data={"reason": REASON, "reopen": "yes", "csrf_token": csrf(form.text)},
    )
    db.expire_all()
    assert db.scalars(select(DuplicateCandidate.status)).one() == "open"


def test_a_short_reason_shows_the_form_again_in_the_readers_language(
    client: TestClient, db: Session
) -> None:
    merge_id, _, second = _merged(db)
    signed_in_officer(client, db, "head@example.org", Role.SUPERVISOR)
    client.cookies.set("peduli_lang", "fr")
    form = client.get(f"/officer/merges/{merge_id}/unmerge")
    answer = client.post(
        f"/officer/merges/{merge_id}/unmerge",
        data={"reason": "faux", "csrf_token": csrf(form.text)},
        headers=HTML,
    )
    assert answer.status_code == 422
    assert "Indiquez la raison de l’annulation de la fusion" in answer.text
    assert 'aria-invalid="true"' in answer.text and ">faux</textarea>" in answer.text
    db.expire_all()
    assert db.get_one(Person, second).status == "merged"


def test_an_officer_sees_the_merge_but_cannot_undo_it(client: TestClient, db: Session) -> None:
    merge_id, first, second = _merged(db)
    signed_in_officer(client, db)
    screen = client.get(f"/officer/persons/{first}?lang=en")
    assert "merged into this one" in screen.text
    assert f"/officer/merges/{merge_id}/unmerge" not in screen.text
    assert client.get(f"/officer/merges/{merge_id}/unmerge", headers=HTML).status_code == 403
    token = csrf(client.get("/officer/search").text)
    answer = client.post(
        f"/officer/merges/{merge_id}/unmerge",
        data={"reason": REASON, "csrf_token": token},
        headers=HTML,
    )
    assert answer.status_code == 403
    db.expire_all()
    assert db.get_one(Person, second).status == "merged"


def test_a_supervisor_of_another_post_is_refused(client: TestClient, db: Session) -> None:
    merge_id, _, second = _merged(db)
    signed_in_officer(client, db, "kl@example.org", Role.SUPERVISOR, "kbri-kuala-lumpur")
    form = client.get(f"/officer/merges/{merge_id}/unmerge?lang=en", headers=HTML)
    assert form.status_code == 403
    assert "<textarea" not in form.text
    db.expire_all()
    assert db.get_one(Person, second).status == "merged"
