"""The emergency API: public SOS with problem+json per field, acknowledging, rosters, access."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from peduli.api.app import create_app
from peduli.auth import tokens
from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.core.db import session_scope
from tests.emergency.conftest import KL, SEOUL, sos

Api = tuple[TestClient, dict[str, dict[str, str]], dict[str, str]]


@pytest.fixture
def api(clean_engine: Engine) -> Iterator[Api]:
    """A client, bearer headers of staff of two posts and HQ, and their account ids."""
    people = {
        "officer": (Role.OFFICER, SEOUL),
        "supervisor": (Role.SUPERVISOR, SEOUL),
        "officer_kl": (Role.OFFICER, KL),
        "analyst": (Role.HQ_ANALYST, None),
        "admin": (Role.HQ_ADMIN, None),
        "partner": (Role.PARTNER, SEOUL),
    }
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    ids: dict[str, str] = {}
    with session_scope() as db:
        for name, (role, post) in people.items():
            account = StaffAccount(
                email=f"{name}@kemlu.example", display_name=name, role=role.value,
                representation_code=post,
            )  # fmt: skip
            db.add(account)
            db.flush()
            headers[name] = {
                "Authorization": f"Bearer {tokens.issue(db, account=account, days=1).token}"
            }
            ids[name] = str(account.id)
    with TestClient(create_app()) as client:
        yield client, headers, ids


def test_an_sos_needs_no_account_and_says_what_happens_next(api: Api) -> None:
    client, _headers, _ids = api
    answer = client.post("/api/v1/emergencies", json=sos())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["representation"]["code"] == SEOUL and body["repeat"] is False
    assert "officer on duty" in body["next_steps"]
    assert answer.headers["cache-control"] == "no-store"
    again = client.post("/api/v1/emergencies", json=sos())
    assert again.status_code == 200 and again.json()["reference"] == body["reference"]


def test_bad_sos_fields_each_get_a_problem(api: Api) -> None:
    client, _headers, _ids = api
    answer = client.post(
        "/api/v1/emergencies", json={"kind": "other", "country": "ZZ", "phone": "0"}
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"country", "name", "phone"} <= fields
    shape = client.post("/api/v1/emergencies", json={**sos(), "kind": "picnic", "latitude": 99})
    assert shape.status_code == 422
    assert {e["field"] for e in shape.json()["errors"]} >= {"kind", "latitude"}


def test_coordinates_alone_find_the_country(api: Api) -> None:
    client, _headers, _ids = api
    answer = client.post(
        "/api/v1/emergencies",
        json=sos(country=None, city=None, latitude=3.139, longitude=101.6869,
                 phone="+60123456789"),
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert answer.json()["representation"]["code"] == KL


def test_the_post_sees_and_acknowledges_its_emergency_others_do_not(api: Api) -> None:
    client, headers, _ids = api
    created = client.post("/api/v1/emergencies", json=sos()).json()
    ack = f"/api/v1/emergencies/{created['id']}/acknowledge"
    assert client.post(ack, headers=headers["officer_kl"]).status_code == 404
    assert client.post(ack, headers=headers["analyst"]).status_code == 403
    assert client.post(ack, headers=headers["partner"]).status_code == 403
    assert client.post(ack).status_code == 401
    assert client.get("/api/v1/emergencies", headers=headers["officer_kl"]).json()["total"] == 0
    assert client.get("/api/v1/emergencies", headers=headers["analyst"]).json()["total"] == 1
    done = client.post(ack, headers=headers["officer"])
    assert done.status_code == 200 and done.json()["state"] == "acknowledged"
    assert client.get("/api/v1/emergencies", headers=headers["officer"]).json()["total"] == 0
    listed = client.get("/api/v1/emergencies?state=all", headers=headers["officer"]).json()
    assert listed["items"][0]["reference"] == created["reference"]


def test_hotline_calls_are_for_staff(api: Api) -> None:
    client, headers, _ids = api
    body = sos(call_notes="Taken at 02:10 local time.")
    assert client.post("/api/v1/emergencies/calls", json=body).status_code == 401
    assert (
        client.post("/api/v1/emergencies/calls", json=body, headers=headers["partner"]).status_code
        == 403
    )
    made = client.post("/api/v1/emergencies/calls", json=body, headers=headers["officer"])
    assert made.status_code == 201, made.text
    assert (
        client.post("/api/v1/emergencies", json=sos(), headers=headers["officer"]).status_code
        == 403
    )


def test_supervisors_edit_the_roster_officers_read_it(api: Api) -> None:
    client, headers, ids = api
    shift = {"account_id": ids["officer"], "starts_local": "2026-11-24T22:00:00",
             "ends_local": "2026-11-25T06:00:00", "rank": 0, "phone": "+821055556666"}  # fmt: skip
    url = f"/api/v1/duty-rosters/{SEOUL}/shifts"
    assert client.post(url, json=shift, headers=headers["officer"]).status_code == 403
    assert client.post(url, json=shift, headers=headers["officer_kl"]).status_code == 403
    made = client.post(url, json=shift, headers=headers["supervisor"])
    assert made.status_code == 201, made.text
    assert made.json()["starts_at"].startswith("2026-11-24T13:00:00")
    read = client.get(f"/api/v1/duty-rosters/{SEOUL}?days=31", headers=headers["officer"])
    assert read.status_code == 200 and read.json()["timezone"] == "Asia/Seoul"
    assert (
        client.get(f"/api/v1/duty-rosters/{SEOUL}", headers=headers["officer_kl"]).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/duty-rosters/{SEOUL}", headers=headers["partner"]).status_code == 403
    )
    bad = client.post(url, json={**shift, "ends_local": "2026-11-24T21:00:00"},
                      headers=headers["supervisor"])  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "ends_local"
    gone = client.delete(f"/api/v1/duty-shifts/{made.json()['id']}", headers=headers["supervisor"])
    assert gone.status_code == 204
    assert client.get("/api/v1/duty-rosters/nowhere", headers=headers["admin"]).status_code == 404


def test_new_sos_are_rate_limited_per_address_but_repeats_always_get_through(api: Api) -> None:
    client, _headers, _ids = api
    first = client.post("/api/v1/emergencies", json=sos(phone="+821011110000"))
    assert first.status_code == 201
    for n in range(1, 10):
        made = client.post("/api/v1/emergencies", json=sos(phone=f"+8210111100{n:02d}"))
        assert made.status_code == 201, made.text
    refused = client.post("/api/v1/emergencies", json=sos(phone="+821011110099"))
    assert refused.status_code == 429 and "retry-after" in refused.headers
    repeat = client.post("/api/v1/emergencies", json=sos(phone="+821011110000"))
    assert repeat.status_code == 200 and repeat.json()["reference"] == first.json()["reference"]


def test_roster_times_are_local_with_the_posts_offset(api: Api) -> None:
    """A wall-clock time without offset would read as UTC: Seoul's are sent as +09:00."""
    client, headers, ids = api
    shift = {"account_id": ids["officer"], "starts_local": "2026-11-24T22:00:00",
             "ends_local": "2026-11-25T06:00:00"}  # fmt: skip
    made = client.post(
        f"/api/v1/duty-rosters/{SEOUL}/shifts", json=shift, headers=headers["supervisor"]
    ).json()
    assert made["starts_local"] == "2026-11-24T22:00:00+09:00"
    assert made["ends_local"] == "2026-11-25T06:00:00+09:00"
    roster = client.get(f"/api/v1/duty-rosters/{SEOUL}", headers=headers["officer"]).json()
    assert roster["now_local"].endswith("+09:00")


def test_acknowledging_assigns_the_case_and_the_list_names_the_caller(api: Api) -> None:
    client, headers, ids = api
    created = client.post(
        "/api/v1/emergencies", json=sos(), headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    ).json()
    listed = client.get("/api/v1/emergencies", headers=headers["officer"]).json()["items"][0]
    assert listed["caller"] == {
        "name": "Siti Aminah", "phone": "+821012345678", "city": "Ansan", "country": "KR",
        "language": "zh", "person_id": None,
    }  # fmt: skip
    analysts = client.get("/api/v1/emergencies", headers=headers["analyst"]).json()["items"]
    assert analysts[0]["caller"] is None, "HQ analysts see no personal data"
    done = client.post(
        f"/api/v1/emergencies/{created['id']}/acknowledge", headers=headers["officer"]
    )
    assert done.status_code == 200 and done.json()["case_id"] == created["case_id"]
    case = client.get(f"/api/v1/cases/{created['case_id']}", headers=headers["officer"]).json()
    assert case["assigned_officer_id"] == ids["officer"]


def test_an_hq_admin_acknowledges_without_taking_the_posts_case(api: Api) -> None:
    client, headers, _ids = api
    created = client.post("/api/v1/emergencies", json=sos()).json()
    done = client.post(f"/api/v1/emergencies/{created['id']}/acknowledge", headers=headers["admin"])
    assert done.status_code == 200 and done.json()["state"] == "acknowledged"
    case = client.get(f"/api/v1/cases/{created['case_id']}", headers=headers["admin"]).json()
    assert case["assigned_officer_id"] is None


def test_hq_admins_keep_the_hq_desk_roster(api: Api) -> None:
    client, headers, ids = api
    shift = {"account_id": ids["admin"], "starts_local": "2026-11-24T08:00:00",
             "ends_local": "2026-11-24T20:00:00"}  # fmt: skip
    path = "/api/v1/duty-rosters/hq/shifts"
    assert client.post(path, json=shift, headers=headers["supervisor"]).status_code == 404
    made = client.post(path, json=shift, headers=headers["admin"])
    assert made.status_code == 201, made.text
    assert made.json()["starts_local"] == "2026-11-24T08:00:00+07:00"
    wrong = client.post(
        path, json={**shift, "account_id": ids["officer"]}, headers=headers["admin"]
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["code"] == "not_hq_admin"
    roster = client.get("/api/v1/duty-rosters/hq", headers=headers["admin"]).json()
    assert roster["timezone"] == "Asia/Jakarta"
