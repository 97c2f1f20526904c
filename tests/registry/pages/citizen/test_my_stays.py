"""My stays: who serves each stay, update, departure, my data, and the proof of report."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from peduli.core.config import get_settings
from peduli.core.db import session_scope
from peduli.documents import keys
from peduli.registry.models import Stay
from tests.auth.pages.test_citizen import HTML, form_of, sign_in
from tests.registry.pages.citizen.test_lapor_diri import NIK, step, walk_to_review


@pytest.fixture
def reported(client: TestClient) -> tuple[TestClient, str]:
    """A citizen signed in through the pages who made a lapor diri; returns the stay id."""
    sign_in(client, "siti@example.org", next_path="/lapor-diri")
    done = step(client, walk_to_review(client), {}, go="submit")
    return client, done.url.path.rsplit("/", 1)[1]


def test_my_stays_needs_sign_in(client: TestClient) -> None:
    assert client.get("/saya", follow_redirects=False).headers["location"] == "/masuk?next=/saya"


def test_before_any_report_the_page_invites_one(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/saya", headers=HTML)
    assert page.status_code == 200 and 'href="/lapor-diri"' in page.text


def test_lists_stays_with_their_representation_and_hotline(reported) -> None:
    client, stay_id = reported
    page = client.get("/saya", headers=HTML)
    assert f'id="stay-{stay_id}"' in page.text
    assert "KBRI Seoul" in page.text and 'href="tel:+' in page.text
    assert page.headers["cache-control"] == "no-store"


def test_update_moves_the_stay_to_the_new_representation(reported) -> None:
    client, stay_id = reported
    form_page = client.get(f"/saya/tinggal/{stay_id}/ubah", headers=HTML)
    fields = form_of(form_page.text, f"/saya/tinggal/{stay_id}/ubah")
    assert fields["city"] == "Seoul"
    fields |= {"country": "HK", "city": "Hong Kong", "sector": "domestic_work"}
    saved = client.post(f"/saya/tinggal/{stay_id}/ubah", data=fields, headers=HTML)
    assert saved.status_code == 200 and saved.url.path == "/saya"
    assert "KJRI Hong Kong" in saved.text


def test_switching_language_keeps_the_changes_being_typed(reported) -> None:
    client, stay_id = reported
    form_page = client.get(f"/saya/tinggal/{stay_id}/ubah", headers=HTML)
    assert 'form="stay-form" name="go" value="language"' in form_page.text
    fields = form_of(form_page.text, f"/saya/tinggal/{stay_id}/ubah")
    fields |= {"city": "Busan", "employer": "Baru Jaya", "go": "language", "lang": "zh"}
    switched = client.post(f"/saya/tinggal/{stay_id}/ubah", data=fields, headers=HTML)
    assert switched.status_code == 200 and '<html lang="zh">' in switched.text
    assert 'value="Busan"' in switched.text and 'value="Baru Jaya"' in switched.text
    assert client.cookies.get("peduli_lang") == "zh"
    # Nothing was saved: the stay is still in Seoul until the citizen presses Save.
    assert 'value="Seoul"' in client.get(f"/saya/tinggal/{stay_id}/ubah", headers=HTML).text


def test_update_errors_keep_the_form(reported) -> None:
    client, stay_id = reported
    form_page = client.get(f"/saya/tinggal/{stay_id}/ubah", headers=HTML)
    fields = form_of(form_page.text, f"/saya/tinggal/{stay_id}/ubah")
    fields |= {"planned_end_date": "2020-01-01", "employer": "Baru Jaya"}
    again = client.post(f"/saya/tinggal/{stay_id}/ubah", data=fields, headers=HTML)
    assert again.status_code == 422
    assert 'value="Baru Jaya"' in again.text
    assert re.search(r'id="planned_end_date-error"[^>]*>\S', again.text)


def test_departure_is_recorded_and_checked(reported) -> None:
    client, stay_id = reported
    page = client.get("/saya", headers=HTML)
    fields = form_of(page.text, f"/saya/tinggal/{stay_id}/pulang")
    early = client.post(
        f"/saya/tinggal/{stay_id}/pulang", data=fields | {"departed_on": "2020-01-01"}, headers=HTML
    )
    assert early.status_code == 422 and 'value="2020-01-01"' in early.text
    left = client.post(
        f"/saya/tinggal/{stay_id}/pulang", data=fields | {"departed_on": "2026-01-05"}, headers=HTML
    )
    assert left.status_code == 200
    assert f'action="/saya/tinggal/{stay_id}/pulang"' not in left.text


def test_a_departure_in_the_future_is_refused_on_its_field(reported) -> None:
    client, stay_id = reported
    client.get("/language?lang=fr&next=/saya")
    page = client.get("/saya", headers=HTML)
    fields = form_of(page.text, f"/saya/tinggal/{stay_id}/pulang")
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    refused = client.post(
        f"/saya/tinggal/{stay_id}/pulang", data=fields | {"departed_on": tomorrow}, headers=HTML
    )
    assert refused.status_code == 422
    assert re.search(
        r'id="departed_on-error"[^>]*>La date de départ est dans le futur', refused.text
    )
    assert f'value="{tomorrow}"' in refused.text
    assert "départ" in client.get("/saya", headers=HTML).text  # the stay is still open


def test_a_departure_in_the_future_is_refused_by_the_api(reported) -> None:
    client, stay_id = reported
    session = client.get("/api/v1/auth/session").json()
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    answer = client.post(
        f"/api/v1/stays/{stay_id}/departure",
        json={"departed_on": tomorrow},
        headers={"X-CSRF-Token": session["csrf_token"]},
    )
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["errors"]
    assert (problem["field"], problem["code"]) == ("departed_on", "in_future")
    assert problem["message"] == "The departure date is in the future."


def test_download_my_data_as_json(reported) -> None:
    client, _stay_id = reported
    page = client.get("/saya", headers=HTML)
    download = client.post("/saya/data", data=form_of(page.text, "/saya/data"))
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    assert json.loads(download.text)["person"]["nik"] == NIK


def test_data_download_needs_the_forms_token(reported) -> None:
    client, _stay_id = reported
    assert client.post("/saya/data", data={"csrf_token": "forged"}).status_code == 403


def test_someone_elses_stay_is_not_found(reported, client: TestClient) -> None:
    _owner, stay_id = reported
    client.cookies.clear()
    sign_in(client, "other@example.org")
    assert client.get(f"/saya/tinggal/{stay_id}/bukti.pdf", headers=HTML).status_code == 404


def _proof_payload(pdf: bytes) -> str:
    match = re.search(rb"/Subject \((PDL1:[^)]*)\)", pdf)
    assert match, "the PDF carries the QR code's payload as its subject"
    return match.group(1).decode()


def test_proof_is_a_pdf_whose_signed_code_verifies(reported) -> None:
    client, stay_id = reported
    pdf = client.get(f"/saya/tinggal/{stay_id}/bukti.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    public = get_settings().public_url.rstrip("/")
    # The verify page's address, never the Host header the request came with.
    assert f"/URI ({public}/verifikasi)".encode() in pdf.content
    payload = _proof_payload(pdf.content)
    assert len(payload) <= 600
    for secret in (NIK, "C7654321", "821012345678", "Hanil"):
        assert secret not in payload
    client.cookies.clear()  # anyone may check, signed in or not
    check = client.post("/api/v1/documents/verify", json={"payload": payload}).json()
    assert check["status"] == "valid"
    assert check["document"]["kind"] == "self_report"
    assert check["document"]["representation"] == "kbri-seoul"
    assert "Siti" in check["document"]["name"]


def test_rotating_keys_keeps_an_issued_proof_valid(reported) -> None:
    client, stay_id = reported
    payload = _proof_payload(client.get(f"/saya/tinggal/{stay_id}/bukti.pdf").content)
    with session_scope() as session:
        keys.rotate(session)
    assert (
        client.post("/api/v1/documents/verify", json={"payload": payload}).json()["status"]
        == "valid"
    )
    fresh = _proof_payload(client.get(f"/saya/tinggal/{stay_id}/bukti.pdf").content)
    assert (
        client.post("/api/v1/documents/verify", json={"payload": fresh}).json()["status"] == "valid"
    )


@pytest.mark.parametrize("language", ["id", "en", "zh", "fr"])
def test_proof_pdf_in_each_language(reported, language: str) -> None:
    client, stay_id = reported
    pdf = client.get(f"/saya/tinggal/{stay_id}/bukti.pdf?lang={language}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert f"/Lang ({language})".encode() in pdf.content


def test_a_correction_request_keeps_its_text_then_shows_the_decision(reported) -> None:
    from peduli.auth.actor import Role
    from peduli.core.db import session_scope
    from peduli.registry import corrections
    from tests.factories import staff

    client, _stay_id = reported
    page = client.get("/saya", headers=HTML)
    fields = form_of(page.text, "/saya/koreksi")
    short = client.post("/saya/koreksi", data=fields | {"correction": "x"}, headers=HTML)
    assert short.status_code == 422 and ">x</textarea>" in short.text
    assert 'aria-invalid="true"' in short.text
    sent = client.post(
        "/saya/koreksi",
        data=fields | {"correction": "My place of birth is Cirebon."},
        headers=HTML,
    )
    assert sent.status_code == 200 and sent.url.path == "/saya"
    assert "My place of birth is Cirebon." in sent.text
    with session_scope() as db:
        officer = staff(Role.OFFICER, "kbri-seoul")
        _total, rows = corrections.correction_queue(db, actor=officer, limit=25, offset=0)
        corrections.decide_correction(
            db, request_id=rows[0].id, actor=officer, accepted=True,
            reason="Corrected to Cirebon after the passport check.",
        )  # fmt: skip
    assert (
        "Corrected to Cirebon after the passport check." in client.get("/saya", headers=HTML).text
    )


def test_a_position_from_the_city_is_not_shown_as_coordinates_given(reported) -> None:
    client, stay_id = reported
    path = f"/saya/tinggal/{stay_id}/ubah"
    fields = form_of(client.get(path, headers=HTML).text, path)
    fields |= {"city": "Busan", "latitude": "", "longitude": ""}
    assert client.post(path, data=fields, headers=HTML).url.path == "/saya"
    again = form_of(client.get(path, headers=HTML).text, path)
    assert (again["city"], again["latitude"], again["longitude"]) == ("Busan", "", "")
    assert client.post(path, data=again, headers=HTML).url.path == "/saya"
    with session_scope() as db:
        stay = db.get(Stay, uuid.UUID(stay_id))
        assert stay is not None and stay.position_approximate and stay.latitude is not None
