"""Lapor diri in steps with plain form posts (JavaScript off): data kept across steps and
errors, problems next to the fields in the reader's language, identifiers never in a URL."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from peduli.core.db import get_sessionmaker
from peduli.registry.models import Stay
from tests.auth.pages.test_citizen import HTML, form_of, sign_in
from tests.factories import nik

BORN = date(1994, 8, 21)
NIK = nik(born=BORN, sex="F", serial=7)
STEPS = [
    {
        "full_name": "Siti Aminah",
        "date_of_birth": BORN.isoformat(),
        "sex": "F",
        "nik": NIK,
        "passport_number": "C7654321",
        "place_of_birth": "Cilacap",
    },
    {
        "country": "KR",
        "city": "Seoul",
        "address": "12 Sejong-daero",
        "latitude": "",
        "longitude": "",
    },
    {
        "purpose": "work",
        "sector": "manufacturing",
        "employer": "Hanil Metal",
        "placement_agency": "PT Maju",
        "arrival_date": "2024-03-01",
        "planned_end_date": "2027-03-01",
    },
    {
        "phone": "+82 10 1234 5678",
        "email": "siti@example.org",
        "emergency_contact_name": "Sri",
        "emergency_contact_relation": "ibu",
        "emergency_contact_phone": "0812 3456 7890",
        "consent": "yes",
    },
]


def step(client: TestClient, page_html: str, values: dict[str, str], go: str = "next"):
    """Submit the page's lapor diri form as a browser without JavaScript would."""
    fields = form_of(page_html, "/lapor-diri") | values | {"go": go}
    return client.post("/lapor-diri", data=fields, headers=HTML)


def walk_to_review(client: TestClient) -> str:
    page = client.get("/lapor-diri", headers=HTML)
    assert page.status_code == 200
    for number, values in enumerate(STEPS, start=1):
        assert f'name="step" value="{number}"' in page.text
        page = step(client, page.text, values)
        assert page.status_code == 200, page.text
    assert 'value="submit"' in page.text
    return page.text


def urls_in(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src|hx-post)="([^"]*)"', html)


@pytest.fixture
def citizen(client: TestClient) -> TestClient:
    sign_in(client, "siti@example.org", next_path="/lapor-diri")
    return client


def test_signed_out_citizens_sign_in_first_and_come_back(client: TestClient) -> None:
    response = client.get("/lapor-diri", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?next=/lapor-diri"


def test_whole_flow_without_javascript_records_the_stay(citizen: TestClient) -> None:
    review = walk_to_review(citizen)
    for value in ("Siti Aminah", NIK, "C7654321", "Hanil Metal", "siti@example.org", "KBRI Seoul"):
        assert value in review
    done = step(citizen, review, {}, go="submit")
    assert done.status_code == 200
    assert done.url.path.startswith("/lapor-diri/terkirim/")
    assert "KBRI Seoul" in done.text
    assert 'href="tel:+' in done.text
    with get_sessionmaker()() as session:
        stay = session.scalars(select(Stay)).one()
    assert (stay.city, stay.employer, stay.representation_code) == (
        "Seoul",
        "Hanil Metal",
        "kbri-seoul",
    )


def test_no_identifier_appears_in_any_url(citizen: TestClient) -> None:
    review = walk_to_review(citizen)
    done = step(citizen, review, {}, go="submit")
    for html in (review, done.text):
        for url in urls_in(html):
            for secret in (NIK, "C7654321", "821012345678", "siti@example.org"):
                assert secret not in url
    assert NIK not in str(done.url)


def test_errors_keep_what_was_typed_and_sit_next_to_their_fields(citizen: TestClient) -> None:
    citizen.cookies.set("peduli_lang", "en")
    page = citizen.get("/lapor-diri", headers=HTML)
    bad = STEPS[0] | {"full_name": "", "nik": "1234", "date_of_birth": "21/08/1994"}
    again = step(citizen, page.text, bad)
    assert again.status_code == 422
    assert 'name="step" value="1"' in again.text
    assert 'value="C7654321"' in again.text and 'value="1234"' in again.text
    assert 'value="21/08/1994"' in again.text  # day/month/year is read, and kept as typed
    assert re.search(r'id="full_name"[^>]*aria-invalid="true"', again.text, re.S)
    assert 'id="full_name-error" aria-live="polite">Fill in this field.' in again.text
    assert re.search(r'id="nik-error"[^>]*>\S', again.text)
    assert 'href="#full_name"' in again.text and 'href="#nik"' in again.text  # summary links
    assert 'id="date_of_birth-error" aria-live="polite"></p>' in again.text


def test_errors_appear_in_the_readers_language(citizen: TestClient) -> None:
    citizen.cookies.set("peduli_lang", "id")
    page = citizen.get("/lapor-diri", headers=HTML)
    again = step(citizen, page.text, STEPS[0] | {"full_name": ""})
    assert '<html lang="id">' in again.text
    assert "Isi kolom ini." in again.text


def test_earlier_steps_survive_later_errors_and_going_back(citizen: TestClient) -> None:
    page = citizen.get("/lapor-diri", headers=HTML)
    page = step(citizen, page.text, STEPS[0])
    page = step(citizen, page.text, STEPS[1] | {"city": ""})
    assert page.status_code == 422
    assert f'value="{NIK}"' in page.text  # carried in a hidden field
    page = step(citizen, page.text, STEPS[1])
    back = step(citizen, page.text, {}, go="back")
    assert 'name="step" value="2"' in back.text
    assert 'value="Seoul"' in back.text


def test_switching_language_keeps_every_step_and_what_is_being_typed(
    citizen: TestClient,
) -> None:
    citizen.get("/language?lang=id&next=/lapor-diri")
    page = citizen.get("/lapor-diri", headers=HTML)
    page = step(citizen, page.text, STEPS[0])
    # Half of step 2 typed, not yet sent: the picker sends the form with the language.
    half = {"country": "KR", "city": "Seoul", "address": ""}
    switched = step(citizen, page.text, half | {"lang": "fr"}, go="language")
    assert switched.status_code == 200
    assert '<html lang="fr">' in switched.text and "Où vous êtes" in switched.text
    assert 'name="step" value="2"' in switched.text
    assert 'value="Seoul"' in switched.text and 'value="KR" selected' in switched.text
    assert f'value="{NIK}"' in switched.text  # step 1, in its hidden field
    assert "Fill in" not in switched.text and "Remplissez" not in switched.text  # no errors
    assert citizen.cookies.get("peduli_lang") == "fr"  # and the next pages stay French
    assert NIK not in "".join(urls_in(switched.text))
    back = step(citizen, switched.text, {}, go="back")
    assert '<html lang="fr">' in back.text
    assert 'value="Siti Aminah"' in back.text and f'value="{NIK}"' in back.text


def test_each_step_is_a_page_of_its_own_with_what_was_typed(citizen: TestClient) -> None:
    page = citizen.get("/lapor-diri", headers=HTML)
    page = step(citizen, page.text, STEPS[0])
    assert page.url.path == "/lapor-diri" and page.url.query == b"langkah=2"
    page = step(citizen, page.text, STEPS[1])
    # The browser's Back asks for the earlier step's address again: it is all there.
    again = citizen.get("/lapor-diri?langkah=2", headers=HTML)
    assert 'value="Seoul"' in again.text and 'value="KR" selected' in again.text
    first = citizen.get("/lapor-diri", headers=HTML)
    assert 'value="Siti Aminah"' in first.text and f'value="{NIK}"' in first.text
    assert again.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("query", ["langkah=9", "langkah=x", "langkah=", "periksa=yes"])
def test_an_odd_step_address_shows_the_first_step(citizen: TestClient, query: str) -> None:
    page = citizen.get(f"/lapor-diri?{query}", headers=HTML)
    assert page.status_code == 200 and 'name="step" value="1"' in page.text


def test_a_step_left_with_problems_shows_them_on_its_page(citizen: TestClient) -> None:
    page = citizen.get("/lapor-diri", headers=HTML)
    refused = step(citizen, page.text, STEPS[0] | {"full_name": ""})
    assert refused.status_code == 422 and refused.url.query == b"langkah=1&periksa=1"
    assert re.search(r'id="full_name-error"[^>]*>\S', refused.text)
    assert f'value="{NIK}"' in refused.text


def test_a_sent_report_leaves_no_draft_behind(citizen: TestClient) -> None:
    done = step(citizen, walk_to_review(citizen), {}, go="submit")
    assert "/lapor-diri/terkirim/" in done.url.path
    fresh = citizen.get("/lapor-diri", headers=HTML)
    assert "Siti Aminah" not in fresh.text and NIK not in fresh.text


def test_the_picker_sends_the_lapor_diri_form(citizen: TestClient) -> None:
    page = citizen.get("/lapor-diri", headers=HTML)
    assert re.search(r'<select id="language-choice" name="lang" form="lapor-form"', page.text)
    assert re.search(r'form="lapor-form" name="go" value="language"', page.text)
    assert 'id="lapor-form"' in page.text


def test_an_unknown_language_keeps_the_page_as_it_was(citizen: TestClient) -> None:
    citizen.cookies.set("peduli_lang", "en")
    page = citizen.get("/lapor-diri", headers=HTML)
    switched = step(citizen, page.text, STEPS[0] | {"lang": "xx"}, go="language")
    assert switched.status_code == 200 and '<html lang="en">' in switched.text
    assert 'value="Siti Aminah"' in switched.text


def _at_contact_step(citizen: TestClient, language: str) -> str:
    citizen.get(f"/language?lang={language}&next=/lapor-diri")
    page = citizen.get("/lapor-diri", headers=HTML)
    for values in STEPS[:3]:
        page = step(citizen, page.text, values)
    assert 'name="step" value="4"' in page.text
    return page.text


def test_a_bad_email_says_how_to_write_it_not_what_the_library_says(citizen: TestClient) -> None:
    page = _at_contact_step(citizen, "fr")
    refused = step(citizen, page, STEPS[3] | {"email": "siti@@example"})
    assert refused.status_code == 422
    assert re.search(r'id="email-error"[^>]*>L’adresse e-mail n’est pas écrite', refused.text)
    assert "@-sign" not in refused.text and "Check this value" not in refused.text
    assert 'value="siti@@example"' in refused.text


@pytest.mark.parametrize(
    ("language", "names"),
    [("fr", "Corée du Sud ou Indonésie"), ("zh", "韩国或印度尼西亚"), ("id", "Korea Selatan")],
)
def test_a_bad_phone_names_the_countries_in_the_readers_language(
    citizen: TestClient, language: str, names: str
) -> None:
    page = _at_contact_step(citizen, language)
    refused = step(citizen, page, STEPS[3] | {"phone": "12345"})
    assert refused.status_code == 422
    error = re.search(r'id="phone-error"[^>]*>([^<]*)<', refused.text)
    assert error and names in error.group(1), error
    assert " KR " not in error.group(1) and "KR or ID" not in refused.text


def test_the_work_sector_is_asked_for_workers(citizen: TestClient) -> None:
    page = citizen.get("/lapor-diri", headers=HTML)
    for values in STEPS[:2]:
        page = step(citizen, page.text, values)
    again = step(citizen, page.text, STEPS[2] | {"sector": ""})
    assert again.status_code == 422
    assert re.search(r'id="sector-error"[^>]*>\S', again.text)


def test_consent_is_required(citizen: TestClient) -> None:
    page = citizen.get("/lapor-diri", headers=HTML)
    for values in STEPS[:3]:
        page = step(citizen, page.text, values)
    fields = form_of(page.text, "/lapor-diri") | STEPS[3] | {"go": "next"}
    del fields["consent"]
    again = citizen.post("/lapor-diri", data=fields, headers=HTML)
    assert again.status_code == 422
    assert re.search(r'id="consent-error"[^>]*>\S', again.text)


def test_review_can_jump_back_to_a_step(citizen: TestClient) -> None:
    review = walk_to_review(citizen)
    edit = step(citizen, review, {}, go="edit-2")
    assert 'name="step" value="2"' in edit.text and 'value="Seoul"' in edit.text


def test_registry_rules_on_submit_send_back_to_the_step(citizen: TestClient) -> None:
    review = walk_to_review(citizen)
    fields = form_of(review, "/lapor-diri") | {
        "go": "submit",
        "latitude": "48.85",
        "longitude": "2.35",
    }
    again = citizen.post("/lapor-diri", data=fields, headers=HTML)
    assert again.status_code == 422
    assert 'name="step" value="2"' in again.text
    assert re.search(r'id="latitude-error"[^>]*>\S', again.text)


def test_inline_check_answers_with_the_fields_problem(citizen: TestClient) -> None:
    page = citizen.get("/lapor-diri", headers={**HTML, "accept-language": "en"})
    fields = form_of(page.text, "/lapor-diri") | STEPS[0] | {"nik": "12"}
    checked = citizen.post(
        "/lapor-diri/periksa", data=fields, headers={"HX-Request": "true", "HX-Trigger-Name": "nik"}
    )
    assert checked.status_code == 200
    assert checked.text.strip() and "<html" not in checked.text
    fine = citizen.post(
        "/lapor-diri/periksa",
        data=fields,
        headers={"HX-Request": "true", "HX-Trigger-Name": "full_name"},
    )
    assert fine.text.strip() == ""


def test_inline_checks_wait_for_the_fields_a_rule_reads(citizen: TestClient) -> None:
    page = citizen.get("/lapor-diri", headers=HTML)
    fields = form_of(page.text, "/lapor-diri") | {"nik": NIK}  # no birth date yet
    checked = citizen.post(
        "/lapor-diri/periksa", data=fields, headers={"HX-Request": "true", "HX-Trigger-Name": "nik"}
    )
    assert checked.text.strip() == ""


def test_fields_are_wired_for_inline_checks_and_screen_readers(citizen: TestClient) -> None:
    page = citizen.get("/lapor-diri", headers=HTML)
    assert re.search(r'id="nik"[^>]*aria-describedby="nik-hint nik-error"', page.text, re.S)
    assert re.search(r'id="nik"[^>]*hx-post="/lapor-diri/periksa"', page.text, re.S)
    assert '<label for="nik">' in page.text


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("id", "karakter kontrol yang tidak terlihat (U+202E)"),
        ("zh", "不可见的控制字符（U+202E）"),
        ("fr", "caractère de contrôle invisible (U+202E)"),
    ],
)
def test_a_name_with_a_bidi_override_is_refused_in_the_readers_language(
    citizen: TestClient, language: str, words: str
) -> None:
    citizen.cookies.set("peduli_lang", language)
    page = citizen.get("/lapor-diri", headers=HTML)
    again = step(citizen, page.text, STEPS[0] | {"full_name": "Siti \u202enimA"})
    assert again.status_code == 422
    assert re.search(r'id="full_name"[^>]*aria-invalid="true"', again.text, re.S)
    assert words in again.text
