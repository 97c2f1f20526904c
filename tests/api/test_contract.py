"""The HTTP contract every route keeps (``peduli.api.contract``): OPTIONS and 405 name the
methods of the path; JSON bodies are read strictly, forms as text."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.emergency.conftest import sos


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/v1/cases", "GET, POST, OPTIONS"),
        ("/api/v1/me", "GET, DELETE, OPTIONS"),
        ("/api/v1/crises/6a1d2a4e-3b55-4b8e-9d0e-2f4c8f1f1b7a", "GET, OPTIONS"),
        ("/api/v1/partners/6a1d2a4e-3b55-4b8e-9d0e-2f4c8f1f1b7a", "GET, PATCH, OPTIONS"),
        ("/healthz", "GET, OPTIONS"),
    ],
)
def test_options_names_every_method_of_the_path(client: TestClient, path: str, allow: str) -> None:
    answer = client.options(path)
    assert answer.status_code == 204, answer.text
    assert answer.headers["allow"] == allow
    assert answer.content == b""


def test_options_on_no_route_is_not_found(client: TestClient) -> None:
    assert client.options("/api/v1/nowhere").status_code == 404


def test_a_method_the_path_does_not_serve_names_all_the_others(client: TestClient) -> None:
    """Two routes share /api/v1/cases (GET, POST): a PUT must hear of both."""
    answer = client.put("/api/v1/cases", json={})
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST, OPTIONS"
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("latitude", "37.5665", "a number or null"),  # a number in quotes
        ("longitude", True, "a number or null"),
        ("name", 12345, "a string or null"),
        ("kind", ["violence"], "a string"),
    ],
)
def test_a_json_value_of_the_wrong_type_is_refused_not_coerced(
    client: TestClient, field: str, value: Any, expected: str
) -> None:
    answer = client.post("/api/v1/emergencies", json=sos(**{field: value}))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    [problem] = answer.json()["errors"]
    assert problem["field"] == field
    assert problem["code"] == "json_type"
    assert problem["message"].startswith(f"Send {expected} here")


def test_a_whole_number_in_quotes_is_refused_deep_inside_a_body(client: TestClient) -> None:
    from peduli.core.schemas import RequestBody, strict_json

    class Shift(RequestBody):
        rank: int

    class Roster(RequestBody):
        shifts: list[Shift]

    with strict_json(), pytest.raises(ValueError, match="Send a whole number here, not a string"):
        Roster.model_validate({"shifts": [{"rank": 0}, {"rank": "1"}]})
    # Outside a JSON request (a page's form, a service), text is parsed as before.
    assert Roster.model_validate({"shifts": [{"rank": "1"}]}).shifts[0].rank == 1


def test_values_of_their_json_type_are_accepted(client: TestClient) -> None:
    body = sos(latitude=37.5665, longitude=126.978, kind="violence")
    assert client.post("/api/v1/emergencies", json=body).status_code == 201


def test_a_date_time_without_offset_is_refused_where_an_instant_is_meant(
    client: TestClient,
) -> None:
    """Read in the server's own zone, 21:05 in Jakarta would be a crisis hours off."""
    from peduli.auth import service as auth_service
    from peduli.auth.actor import Role
    from peduli.core.db import session_scope

    with session_scope() as db:
        auth_service.create_staff(db, email="hq@kemlu.example", role=Role.HQ_ADMIN)
        token = auth_service.create_token(db, email="hq@kemlu.example")
    crisis = {"title": "Gempa Jawa", "kind": "earthquake", "severity": "severe",
              "area": {"countries": ["ID"]}}  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    naive = client.post(
        "/api/v1/crises", json={**crisis, "started_at": "2026-11-24T21:05:00"}, headers=headers
    )
    assert naive.status_code == 422, naive.text
    assert naive.json()["errors"][0]["field"] == "started_at"
    aware = client.post(
        "/api/v1/crises",
        json={**crisis, "started_at": "2026-11-24T21:05:00+07:00"},
        headers=headers,
    )
    assert aware.status_code == 201, aware.text
    assert aware.json()["started_at"] == "2026-11-24T14:05:00Z"
