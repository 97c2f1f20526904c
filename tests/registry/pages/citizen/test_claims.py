"""The two-report takeover through the lapor diri pages, and proving a claim on its page.

A citizen who types someone else's NIK in the form gets the same answer as one whose NIK is
new, never a field of the existing record; their page then says "we will confirm your
identity", and the record and the account stay apart until proof.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from peduli.core.db import get_sessionmaker
from peduli.notify.models import OutboxMessage
from peduli.registry import service
from peduli.registry.models import ContactPoint, Person, Stay
from tests.auth.pages.test_citizen import HTML, form_of, sign_in
from tests.factories import report, staff
from tests.outbox import messages_to
from tests.registry.pages.citizen.test_lapor_diri import BORN, NIK, step, walk_to_review

# The victim's record, made by an officer: what the attacker must never see or change.
VICTIM = {
    "nik": NIK,
    "full_name": "Siti Rahayu Wulandari",
    "date_of_birth": BORN,
    "sex": "F",
    "passport_number": "C1112223",
    "place_of_birth": "Purwokerto",
    "email": "rahayu@example.org",
    "phone": "+821011112222",
    "employer": "Daehan Textile",
}


def _victim() -> Person:
    with get_sessionmaker()() as db:
        outcome = service.submit_self_report(db, report=report(**VICTIM), actor=staff())
        db.commit()
        return outcome.person  # type: ignore[union-attr]


def _report_through_the_pages(client: TestClient):
    return step(client, walk_to_review(client), {}, go="submit")


def _claim_page(client: TestClient):
    """Report through the pages, then follow the citizen's page to the claim it opened."""
    _report_through_the_pages(client)
    mine = client.get("/saya", headers=HTML)
    found = re.search(r'href="(/saya/klaim/[0-9a-f-]+)"', mine.text)
    assert found, "the citizen's page leads to the claim"
    return client.get(found.group(1), headers=HTML)


def _without_tokens(html: str) -> str:
    """The page with its ids and form tokens blanked, to compare two answers."""
    html = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", html)
    return re.sub(r'(name="csrf_token" value=|content=)"[^"]*"', r"\1TOKEN", html)


def test_the_answer_is_the_same_whether_or_not_the_nik_is_on_record(client: TestClient) -> None:
    sign_in(client, "first@example.org", next_path="/lapor-diri")
    new_record = _report_through_the_pages(client)  # the NIK was not on record
    client.cookies.clear()
    sign_in(client, "second@example.org", next_path="/lapor-diri")
    on_record = _report_through_the_pages(client)  # the same NIK, now on someone's record
    assert new_record.status_code == on_record.status_code == 200
    assert new_record.url.path.startswith("/lapor-diri/terkirim/")
    assert on_record.url.path.startswith("/lapor-diri/terkirim/")
    assert _without_tokens(new_record.text) == _without_tokens(on_record.text)
    assert "KBRI Seoul" in on_record.text
    assert "Kami akan memastikan identitas Anda" not in on_record.text


def test_two_reports_through_the_pages_take_nothing_over(client: TestClient) -> None:
    victim = _victim()
    sign_in(client, "siti@example.org", next_path="/lapor-diri")  # the attacker
    pages = [_report_through_the_pages(client) for _ in range(2)]
    mine = client.get("/saya", headers=HTML)
    assert "Siti Rahayu Wulandari" not in mine.text, "the attacker's pages show the victim"
    assert client.get("/api/v1/me").status_code == 404
    for page in pages:
        assert page.status_code == 200
        assert page.url.path.startswith("/lapor-diri/terkirim/")
        for secret in ("Rahayu", "Purwokerto", "C1112223", "rahayu@", "Daehan", str(victim.id)):
            assert secret not in page.text
    with get_sessionmaker()() as db:
        stays = db.scalars(select(Stay).where(Stay.person_id == victim.id)).all()
        contacts = db.scalars(select(ContactPoint.value).where(ContactPoint.person_id == victim.id))
        assert len(stays) == 1 and set(contacts) == {"rahayu@example.org", "+821011112222"}
    assert 'href="/saya/klaim/' in mine.text
    claim_page = client.get(re.findall(r'href="(/saya/klaim/[^"]+)"', mine.text)[0], headers=HTML)
    assert "Kami akan memastikan identitas Anda" in claim_page.text  # Indonesian by default


def test_the_claim_page_takes_the_code_keeps_it_after_an_error_and_proves_the_claim(
    client: TestClient,
) -> None:
    victim = _victim()
    sign_in(client, "siti@example.org", next_path="/lapor-diri")
    claim_page = _claim_page(client)
    path = claim_page.url.path
    sent = client.post(f"{path}/kode", data=form_of(claim_page.text, f"{path}/kode"), headers=HTML)
    assert sent.status_code == 200 and "kode sedang dikirim" in sent.text
    with get_sessionmaker()() as db:
        message = db.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("claim-code:%"))
        ).first()
        assert message is not None
        code = re.search(r"\b(\d{6})\b", message.body).group(1)  # type: ignore[union-attr]
    wrong_code = "000000" if code != "000000" else "111111"
    wrong = client.post(path, data=form_of(sent.text, path) | {"code": wrong_code}, headers=HTML)
    assert wrong.status_code == 422
    assert f'value="{wrong_code}"' in wrong.text and 'id="code-error"' in wrong.text
    done = client.post(path, data=form_of(wrong.text, path) | {"code": code}, headers=HTML)
    assert done.status_code == 200 and done.url.path == "/saya"
    assert "Siti Rahayu Wulandari" in done.text
    assert client.get("/api/v1/me").json()["id"] == str(victim.id)


def test_the_claim_page_speaks_the_readers_language(client: TestClient) -> None:
    _victim()
    sign_in(client, "siti@example.org", next_path="/lapor-diri")
    path = _claim_page(client).url.path
    for language, title in (
        ("en", "We will confirm your identity"),
        ("zh", "我们将确认您的身份"),
        ("fr", "Nous allons confirmer votre identité"),
    ):
        page = client.get(f"{path}?lang={language}", headers=HTML)
        assert title in page.text


def test_my_stays_page_confirms_a_typed_phone_and_keeps_the_code_after_an_error(
    client: TestClient,
) -> None:
    sign_in(client, "siti@example.org", next_path="/lapor-diri")
    _report_through_the_pages(client)  # a first report: the phone typed is not confirmed
    mine = client.get("/saya", headers=HTML)
    assert 'action="/saya/kontak/kode"' in mine.text
    phone = "+821012345678"
    fields = form_of(mine.text, "/saya/kontak/kode")
    assert fields["value"] == phone
    sent = client.post("/saya/kontak/kode", data=fields, headers=HTML)
    assert sent.status_code == 200
    with get_sessionmaker()() as db:
        (message,) = messages_to(db, phone)
        body = message.body
    code = re.search(r"\b(\d{6})\b", body).group(1)  # type: ignore[union-attr]
    wrong_code = "000000" if code != "000000" else "111111"
    wrong = client.post(
        "/saya/kontak", data=form_of(sent.text, "/saya/kontak") | {"code": wrong_code}, headers=HTML
    )
    assert wrong.status_code == 422 and f'value="{wrong_code}"' in wrong.text
    done = client.post(
        "/saya/kontak", data=form_of(wrong.text, "/saya/kontak") | {"code": code}, headers=HTML
    )
    assert done.status_code == 200 and 'action="/saya/kontak/kode"' not in done.text
    contacts = client.get("/api/v1/me").json()["contacts"]
    assert {c["value"] for c in contacts if c["trusted"] and c["is_primary"]} == {
        "siti@example.org",
        phone,
    }
