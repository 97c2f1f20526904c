"""The appointment pages without JavaScript: a citizen books in Indonesian and reads it in
English, keeps their choice when refused, moves and cancels; officers check arrivals in,
call the next ticket onto the queue screen (two languages, fetching itself again), and plan;
an officer of another post reaches none of it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.web.i18n import LANGUAGE_COOKIE
from tests.auth.pages.test_citizen import HTML, form_of, sign_in
from tests.services.appointment_helpers import RENEWAL, plan_seoul, verified_citizen
from tests.services.conftest import SEOUL
from tests.web.officer_support import post_form, signed_in_officer

CHOOSE = f"/janji-temu?service={RENEWAL}&representation={SEOUL}"


def _times(html: str) -> list[str]:
    return re.findall(r'name="starts_at" value="([^"]+)"', html)


def _book_in_indonesian(client: TestClient) -> str:
    """Book the first free time through the pages, in Indonesian; the appointment's page."""
    client.cookies.set(LANGUAGE_COOKIE, "id")
    page = client.get(CHOOSE, headers=HTML)
    assert page.status_code == 200 and "Pilih waktu" in page.text and "KBRI Seoul" in page.text
    fields = form_of(page.text, "/janji-temu")
    refused = client.post("/janji-temu", data=fields | {"party_size": "2"}, headers=HTML)
    assert refused.status_code == 422 and "Pilih waktu." in refused.text  # no time chosen
    assert 'value="2" selected' in refused.text  # the family size is kept
    first = _times(page.text)[0]
    done = client.post(
        "/janji-temu",
        data=fields | {"starts_at": first, "party_size": "2"},
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return str(done.headers["location"]).split("?")[0]


def test_a_citizen_books_in_indonesian_and_reads_it_in_english(
    client: TestClient, loaded: Session, officer: Actor
) -> None:
    plan_seoul(loaded)
    verified_citizen(loaded, "yusuf@example.org", officer)
    sign_in(client, "yusuf@example.org", next_path="/janji-temu")
    mine = _book_in_indonesian(client)
    indonesian = client.get(mine, headers=HTML)
    assert "Dipesan" in indonesian.text and "Tambahkan ke kalender saya (.ics)" in indonesian.text
    client.cookies.set(LANGUAGE_COOKIE, "en")
    english = client.get(mine, headers=HTML)
    assert "Booked" in english.text and "Add to my calendar (.ics)" in english.text
    assert "calendar.ics" in english.text and "KST" in english.text
    listing = client.get("/saya/janji-temu", headers=HTML)
    assert "Passport renewal" in listing.text and "KBRI Seoul" in listing.text
    moved = post_form(client, f"{mine}/pindah", {"starts_at": _times(english.text)[-1]}, mine)
    assert moved.status_code == 303
    cancelled = post_form(client, f"{mine}/batal", {}, mine)
    assert cancelled.status_code == 303
    assert "Cancelled" in client.get(mine, headers=HTML).text


def test_signed_out_readers_see_the_times_and_are_asked_to_sign_in(
    client: TestClient, loaded: Session
) -> None:
    plan_seoul(loaded)
    client.cookies.set(LANGUAGE_COOKIE, "en")
    page = client.get(CHOOSE, headers=HTML)
    assert page.status_code == 200 and "Sign in to book" in page.text
    assert "4 places left" in page.text


def test_officers_receive_the_day_and_the_screen_calls_tickets(
    client: TestClient, loaded: Session, officer: Actor
) -> None:
    plan_seoul(loaded)
    verified_citizen(loaded, "yusuf@example.org", officer)
    sign_in(client, "yusuf@example.org", next_path="/janji-temu")
    mine = _book_in_indonesian(client)
    client.cookies.clear()
    signed_in_officer(client, loaded, "desk@example.org")
    client.cookies.set(LANGUAGE_COOKIE, "en")
    day_of = client.get(mine.replace("/saya/janji-temu", "/api/v1/appointments")).json()
    day_url = f"/officer/appointments?day={day_of['local_day']}"
    listing = client.get(day_url)
    assert listing.status_code == 200 and "Muhammad Yusuf" in listing.text
    appointment_id = mine.rsplit("/", 1)[1]
    checked = post_form(client, f"/officer/appointments/{appointment_id}/check-in", {}, day_url)
    assert checked.status_code == 303
    assert "ticket 1" in client.get(day_url).text
    called = post_form(client, "/officer/appointments/call-next", {}, day_url)
    assert called.status_code == 303
    screen = client.get("/officer/appointments/screen")
    assert screen.status_code == 200
    assert 'hx-trigger="every 5s"' in screen.text and 'hx-get="http' in screen.text  # swaps itself
    assert "Sekarang dilayani" in screen.text and "Now serving" in screen.text
    assert "Muhammad" not in screen.text  # numbers only in a public room


def test_an_officer_of_another_post_reaches_nothing(
    client: TestClient, loaded: Session, officer: Actor
) -> None:
    plan_seoul(loaded)
    verified_citizen(loaded, "yusuf@example.org", officer)
    sign_in(client, "yusuf@example.org", next_path="/janji-temu")
    mine = _book_in_indonesian(client)
    client.cookies.clear()
    signed_in_officer(client, loaded, "kl@example.org", representation_code="kbri-kuala-lumpur")
    appointment_id = mine.rsplit("/", 1)[1]
    assert client.get(f"/api/v1/appointments/{appointment_id}").status_code == 404
    refused = post_form(
        client, f"/officer/appointments/{appointment_id}/check-in", {}, "/officer/appointments"
    )
    assert refused.status_code == 404


def test_a_supervisor_plans_hours_and_closes_a_day(client: TestClient, loaded: Session) -> None:
    signed_in_officer(client, loaded, "sup@example.org", role=Role.SUPERVISOR)
    client.cookies.set(LANGUAGE_COOKIE, "en")
    plan = "/officer/appointments/plan"
    wrong = post_form(client, plan, {"service": RENEWAL, "opens_at": "12:00", "closes_at": "09:00",
                                     "slot_minutes": "30", "capacity": "3", "max_party": "1",
                                     "release_days": "14", "release_hour": "8"}, plan)  # fmt: skip
    assert wrong.status_code == 422 and "Closing comes after opening." in wrong.text
    assert 'value="12:00"' in wrong.text  # typed input kept
    saved = post_form(client, plan, {"service": RENEWAL, "opens_at": "09:00", "closes_at": "12:00",
                                     "slot_minutes": "30", "capacity": "3", "max_party": "1",
                                     "release_days": "14", "release_hour": "8"}, plan)  # fmt: skip
    assert saved.status_code == 303
    closed = post_form(
        client, f"{plan}/blackouts", {"day": "2027-01-04", "reason": "Training"}, plan
    )
    assert closed.status_code == 303
    page = client.get(plan).text
    assert "Passport renewal" in page and "Training" in page and "09:00–12:00" in page
    client.cookies.clear()
    signed_in_officer(client, loaded, "officer2@example.org")
    assert client.get(plan).status_code == 403
