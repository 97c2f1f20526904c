"""Identity claims in the officer's work queue: listed for the post, decided on one page,
with what was typed kept after an error, in the officer's language."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.registry import service
from peduli.registry.models import ClaimStatus, IdentityClaim, Stay
from tests import factories
from tests.web.officer_support import HTML, post_form, reported, signed_in_officer


def _claim(db: Session) -> IdentityClaim:
    reported(db, email="victim@example.org")
    citizen = factories.signed_in_citizen(db, "claimant@example.org")
    outcome = service.submit_self_report(
        db,
        report=factories.report(email="claimant@example.org", full_name="Claimant Name"),
        actor=citizen,
    )
    db.commit()
    assert isinstance(outcome, service.PendingClaim)
    return outcome.claim


def test_the_posts_claims_are_in_the_work_queue(client: TestClient, db: Session) -> None:
    claim = _claim(db)
    signed_in_officer(client, db)
    queue = client.get("/officer", headers=HTML)
    assert re.search(r'<a href="/officer/claims"[^>]*>[^<]*\(1\)</a>', queue.text)
    listed = client.get("/officer/claims", headers=HTML)
    assert f'href="/officer/claims/{claim.id}"' in listed.text and "Claimant Name" in listed.text


def test_another_posts_officer_neither_lists_nor_opens_the_claim(
    client: TestClient, db: Session
) -> None:
    claim = _claim(db)
    signed_in_officer(client, db, "kl@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    assert str(claim.id) not in client.get("/officer/claims", headers=HTML).text
    assert client.get(f"/officer/claims/{claim.id}", headers=HTML).status_code == 403


def test_a_document_check_keeps_what_was_typed_after_an_error_then_proves(
    client: TestClient, db: Session
) -> None:
    claim = _claim(db)
    signed_in_officer(client, db)
    page = f"/officer/claims/{claim.id}"
    bad = post_form(
        client,
        f"{page}/document-check",
        {"document_kind": "passport", "document_digits": "1", "method": "video"},
        page,
    )
    assert bad.status_code == 422
    assert 'id="document_digits-error"' in bad.text
    assert '<option value="video" selected>' in bad.text
    assert '<option value="passport" selected>' in bad.text
    good = post_form(
        client,
        f"{page}/document-check",
        {"document_kind": "passport", "document_digits": "4567", "method": "in_person"},
        page,
    )
    assert (
        good.status_code == 303 and good.headers["location"] == "/officer/claims?done=claim_proven"
    )
    db.expire_all()
    assert db.get_one(IdentityClaim, claim.id).status == ClaimStatus.PROVEN


def test_an_officer_merges_a_claim_through_the_page(client: TestClient, db: Session) -> None:
    claim = _claim(db)
    signed_in_officer(client, db)
    page = f"/officer/claims/{claim.id}"
    merged = post_form(client, f"{page}/merge", {}, page)
    assert merged.status_code == 303
    db.expire_all()
    assert db.get_one(IdentityClaim, claim.id).status == ClaimStatus.MERGED
    assert len(db.scalars(select(Stay).where(Stay.person_id == claim.person_id)).all()) == 2


def test_a_refusal_needs_a_reason_and_keeps_it_in_the_officers_language(
    client: TestClient, db: Session
) -> None:
    claim = _claim(db)
    signed_in_officer(client, db)
    client.cookies.set("peduli_lang", "fr")
    page = f"/officer/claims/{claim.id}"
    short = post_form(client, f"{page}/refusal", {"reason": "no"}, page)
    assert short.status_code == 422 and ">no</textarea>" in short.text
    assert "Refuser" in short.text
    refused = post_form(client, f"{page}/refusal", {"reason": "Different passport seen"}, page)
    assert refused.status_code == 303
    db.expire_all()
    assert db.get_one(IdentityClaim, claim.id).status == ClaimStatus.REFUSED
