"""The appointments' API: a public slot search in the post's time zone, a verified citizen
booking, moving and cancelling, and the .ics invitation that parses back with the right
METHOD, a stable UID, a rising SEQUENCE and the post's VTIMEZONE."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from tests.services.appointment_helpers import RENEWAL, plan_seoul, verified_citizen
from tests.services.conftest import SEOUL, api_citizen, citizen_of

API = "/api/v1/appointments"


def _slots(client: TestClient) -> list[dict[str, Any]]:
    found = client.get(f"{API}/slots", params={"representation": SEOUL, "service": RENEWAL})
    assert found.status_code == 200, found.text
    return list(found.json()["slots"])


def _invitation(client: TestClient, appointment_id: str) -> Calendar:
    answer = client.get(f"{API}/{appointment_id}/calendar.ics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(answer.content)


def test_the_slot_search_is_public_and_in_the_posts_time(
    client: TestClient, loaded: Session
) -> None:
    plan_seoul(loaded)
    answer = client.get(f"{API}/slots", params={"representation": SEOUL, "service": RENEWAL})
    assert answer.json()["timezone"] == "Asia/Seoul"
    slots = answer.json()["slots"]
    assert slots and all(s["local_start"].endswith("+09:00") for s in slots)
    assert {s["local_start"][11:16] for s in slots} <= {
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
    }
    assert all(s["free"] == 4 for s in slots)
    bad = client.get(f"{API}/slots", params={"representation": "../etc", "service": RENEWAL})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_booking_moving_and_cancelling_update_the_invitation(
    client: TestClient, loaded: Session, officer: Actor
) -> None:
    plan_seoul(loaded)
    verified_citizen(loaded, "yusuf@example.org", officer)
    headers = api_citizen(client, "yusuf@example.org")
    first, second = _slots(client)[0], _slots(client)[1]
    booked = client.post(
        API,
        json={
            "representation": SEOUL,
            "service": RENEWAL,
            "starts_at": first["starts_at"],
            "party_size": 2,
        },
        headers=headers,
    )
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    assert appointment["state"] == "booked" and appointment["party_size"] == 2
    assert _slots(client)[0]["free"] == 2

    invitation = _invitation(client, appointment["id"])
    event = invitation.walk("VEVENT")[0]
    uid = str(event["UID"])
    assert str(invitation["METHOD"]) == "REQUEST" and int(event["SEQUENCE"]) == 0
    assert [str(tz["TZID"]) for tz in invitation.walk("VTIMEZONE")] == ["Asia/Seoul"]
    assert event["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert event.decoded("DTSTART").isoformat() == first["local_start"]

    again = client.post(
        API,
        json={"representation": SEOUL, "service": RENEWAL, "starts_at": second["starts_at"]},
        headers=headers,
    )
    assert again.status_code == 409 and again.json()["code"] == "already_booked"

    moved = client.post(
        f"{API}/{appointment['id']}/reschedule",
        json={"starts_at": second["starts_at"]},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    event = _invitation(client, appointment["id"]).walk("VEVENT")[0]
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").isoformat() == second["local_start"]

    cancelled = client.post(f"{API}/{appointment['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    invitation = _invitation(client, appointment["id"])
    event = invitation.walk("VEVENT")[0]
    assert str(invitation["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 2
    assert all(s["free"] == 4 for s in _slots(client)[:2])


def test_an_unverified_citizen_is_refused_and_a_stranger_gets_404(
    client: TestClient, loaded: Session, officer: Actor
) -> None:
    plan_seoul(loaded)
    verified_citizen(loaded, "yusuf@example.org", officer)
    citizen_of(
        loaded,
        "baru@example.org",
        full_name="Baru Datang",
        date_of_birth=date(1999, 1, 2),
        phone="+821099990000",
        passport_number="B7654321",
    )
    headers = api_citizen(client, "yusuf@example.org")
    slot = _slots(client)[0]
    booked = client.post(
        API,
        json={"representation": SEOUL, "service": RENEWAL, "starts_at": slot["starts_at"]},
        headers=headers,
    ).json()
    client.cookies.clear()
    stranger = api_citizen(client, "baru@example.org")
    refused = client.post(
        API,
        json={"representation": SEOUL, "service": RENEWAL, "starts_at": slot["starts_at"]},
        headers=stranger,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "identity_not_verified"
    assert client.get(f"{API}/{booked['id']}").status_code == 404
    assert client.get(f"{API}/{booked['id']}/calendar.ics").status_code == 404
    assert client.post(f"{API}/{booked['id']}/cancel", headers=stranger).status_code == 404
