"""The HTTP surface: health, OpenAPI, problem+json errors, the self-report contract."""

from __future__ import annotations

import gc
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.routing import Match

from peduli.api.app import build_routes_now, create_app, create_server_app
from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.registry import repository as registry_repository
from peduli.registry.schemas import SelfReportResult
from tests.factories import report


def _officer_headers(db: Session) -> dict[str, str]:
    auth_service.create_staff(
        db, email="officer@kemlu.example", role=Role.OFFICER, representation_code="kbri-seoul"
    )
    token = auth_service.create_token(db, email="officer@kemlu.example")
    db.commit()
    return {"Authorization": f"Bearer {token}"}


def test_healthz_checks_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_while_a_writer_holds_sqlites_turn(client: TestClient, db: Session) -> None:
    """A health check is a read: behind a long write it would time out at the balancer."""
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's writers take turns; PostgreSQL's readers never wait")
    db.execute(text("SELECT 1"))  # a read-write transaction begins and holds the turn
    answered: list[int] = []
    checker = threading.Thread(target=lambda: answered.append(client.get("/healthz").status_code))
    checker.start()
    checker.join(5)
    answered_meanwhile = list(answered)
    db.rollback()
    checker.join()
    assert answered_meanwhile == [200]


def test_openapi_documents_the_registry(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/self-reports", "/api/v1/persons/search", "/api/v1/representations"):
        assert path in paths


def test_self_report_answers_person_stay_and_representation(
    client: TestClient, db: Session
) -> None:
    headers = _officer_headers(db)
    response = client.post(
        "/api/v1/self-reports", json=report().model_dump(mode="json"), headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["person"]["id"]
    assert body["stay"]["id"]
    assert body["representation"]["code"] == "kbri-seoul"
    assert response.headers["cache-control"] == "no-store"
    assert "nik" not in body["person"], "summaries never carry the NIK"
    # Served pre-serialised: what it serves must still be what the OpenAPI document says.
    SelfReportResult.model_validate(body)


def test_bad_fields_come_back_as_problem_json_one_entry_each(
    client: TestClient, db: Session
) -> None:
    headers = _officer_headers(db)
    bad = report().model_dump(mode="json") | {
        "nik": "12345",
        "sex": "X",
        "country": "KR",
        "arrival_date": "not a date",
    }
    response = client.post("/api/v1/self-reports", json=bad, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/validation_failed") and problem["status"] == 422
    fields = [error["field"] for error in problem["errors"]]
    assert {"sex", "arrival_date"} <= set(fields)
    assert all(error["message"] and error["hint"] for error in problem["errors"])


def test_field_problems_are_in_our_words_never_the_libraries(
    client: TestClient, db: Session
) -> None:
    headers = _officer_headers(db)
    bad = report().model_dump(mode="json") | {
        "email": "siti.example.org",
        "sex": "X",
        "arrival_date": "not a date",
        "latitude": 100.0,
    }
    response = client.post("/api/v1/self-reports", json=bad, headers=headers)
    assert response.status_code == 422
    words = {e["field"]: (e["message"], e["hint"]) for e in response.json()["errors"]}
    assert words["email"] == (
        "The email address is not written correctly.",
        "Write it as name@example.org.",
    )
    assert words["sex"] == (
        "This is not one of the allowed values.",
        "Choose one of the allowed values.",
    )
    assert words["arrival_date"][0] == "This is not a date."
    assert words["latitude"] == ("This number is too large.", "Give 90 or less.")
    for library_words in ("@-sign", "Input should", "value is not"):
        assert library_words not in response.text


def test_domain_rules_use_the_same_problem_shape(client: TestClient, db: Session) -> None:
    headers = _officer_headers(db)
    bad = report(nik="3171011705910001").model_dump(mode="json")
    problem = client.post("/api/v1/self-reports", json=bad, headers=headers).json()
    assert [error["field"] for error in problem["errors"]] == ["nik"]
    assert "3171011705910001" not in str(problem), "the NIK is not echoed back"


def test_anonymous_self_report_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/self-reports", json=report().model_dump(mode="json"))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_unknown_route_is_a_problem_not_a_stack_trace(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_search_by_identifier_is_post_only(client: TestClient, db: Session) -> None:
    headers = _officer_headers(db)
    assert client.get("/api/v1/persons/search", headers=headers).status_code in (404, 405, 422)
    response = client.post(
        "/api/v1/persons/search", json={"nik": "3171011705900001"}, headers=headers
    )
    assert response.status_code == 200


def test_no_identifier_can_travel_in_a_url(client: TestClient) -> None:
    """NIK, passport and phone go in bodies only: no path or query parameter carries them."""
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                name = parameter["name"].lower()
                assert not any(word in name for word in ("nik", "passport", "phone")), (path, name)


def test_a_race_on_the_same_nik_answers_409_try_again(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two reports with one NIK at the same moment: the loser gets a clear 409, not a 500."""
    headers = _officer_headers(db)
    body = report().model_dump(mode="json")
    assert client.post("/api/v1/self-reports", json=body, headers=headers).status_code == 201
    # The race: the second request's look-up ran before the first one committed.
    monkeypatch.setattr(
        registry_repository,
        "probe_identity",
        lambda *_, **__: registry_repository.IdentityProbe(known_id=None, born_same_day=[]),
    )
    response = client.post("/api/v1/self-reports", json=body, headers=headers)
    assert response.status_code == 409
    assert response.json()["code"] == "concurrent_change"


def test_the_transaction_commits_before_the_response_is_sent() -> None:
    """A client that got 201 can read its write at once, and never gets 201 for a rollback."""
    from peduli.api import deps

    (dependency,) = [m for m in deps.DbSession.__metadata__ if hasattr(m, "scope")]
    assert dependency.scope == "function"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/auth/login", {"email": "a\x00@example.org", "password": "x"}, "email"),
        ("/api/v1/self-reports", {"city": "Seo\x00ul"}, "city"),
    ],
)
def test_a_nul_character_is_a_field_problem_on_both_databases(
    client: TestClient, db: Session, path: str, body: dict[str, str], field: str
) -> None:
    """PostgreSQL cannot store NUL and SQLite can; both must answer the same 422."""
    headers = _officer_headers(db)
    payload = report().model_dump(mode="json") | body if "city" in body else body
    response = client.post(path, json=payload, headers=headers)
    assert response.status_code == 422, response.text
    problems = {p["field"]: p for p in response.json()["errors"]}
    assert "NUL" in problems[field]["message"]


def test_a_value_the_database_refuses_is_a_422_not_a_500() -> None:
    """The net under validation: a DataError from the driver is the sender's mistake."""
    from sqlalchemy.exc import DataError

    from peduli.api.app import create_app

    app = create_app()

    @app.get("/api/v1/refused-by-database")
    def refused() -> None:
        raise DataError("SELECT", {}, ValueError("text fields cannot contain NUL"))

    response = TestClient(app).get("/api/v1/refused-by-database")
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unstorable_value"


def test_the_server_app_freezes_start_up_objects_out_of_the_collectors_view(
    clean_engine: object,
) -> None:
    """A server process's start-up objects are frozen, so collections stay short."""
    gc.unfreeze()
    try:
        app = create_server_app()
        assert gc.get_freeze_count() > 10_000
        with TestClient(app) as client:
            assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    finally:
        gc.unfreeze()


def test_the_server_app_builds_its_routes_before_the_first_request(clean_engine: object) -> None:
    """FastAPI builds a route when a request first reaches it: the first 404 of a process
    built all of them (some 60,000 objects, 0.7 s). A server process builds them at start-up,
    so its first request makes nothing lasting."""
    app = create_app()
    build_routes_now(app)
    with TestClient(app) as client:
        client.get("/healthz")
        gc.collect()
        before = len(gc.get_objects())
        assert client.get("/api/v1/no-such-route").status_code == 404
        gc.collect()
        assert len(gc.get_objects()) - before < 5_000


def test_a_check_in_is_matched_before_every_other_domains_route() -> None:
    """Routes are tried in order at about 10 µs each: behind the other domains' routes a
    check-in spent half a millisecond being matched, so its router comes first."""
    scope = {"type": "http", "path": "/api/v1/crises/check-ins", "method": "POST"}
    routes = create_app().router.routes
    first = next(i for i, r in enumerate(routes) if r.matches(dict(scope))[0] == Match.FULL)
    domain_routers_before = [r for r in routes[:first] if not hasattr(r, "path")]
    assert domain_routers_before == []


def test_a_browser_that_is_not_signed_in_reads_why_in_its_language(client: TestClient) -> None:
    """The refusal is a translated message: English on the API, the reader's on a page."""
    api = client.post("/api/v1/self-reports", json=report().model_dump(mode="json"))
    assert "send an API token as 'Authorization: Bearer <token>'" in api.json()["detail"]
    page = client.post("/saya/data", headers={"Accept": "text/html", "Accept-Language": "id"})
    assert page.status_code == 401
    assert "kirim token API sebagai" in page.text


def test_a_callers_credentials_never_show_their_secrets() -> None:
    from peduli.api.deps import Credentials

    credentials = Credentials(
        bearer_token="tok-secret",
        session_token="cookie-secret",
        ip="203.0.113.9",
        method="POST",
        csrf_token="csrf-secret",
        route="POST /self-reports",
    )
    shown = repr(credentials) + str(credentials)
    assert "secret" not in shown and "203.0.113.9" in shown


@pytest.mark.parametrize("field", ["country", "city", "purpose", "arrival_date"])
def test_clearing_what_a_stay_always_has_is_a_field_problem_not_a_500(
    client: TestClient, db: Session, field: str
) -> None:
    """Found by the OpenAPI fuzzer: ``{"purpose": null}`` failed the merge with a 500."""
    headers = _officer_headers(db)
    made = client.post(
        "/api/v1/self-reports", json=report().model_dump(mode="json"), headers=headers
    ).json()
    stay_url = f"/api/v1/stays/{made['stay']['id']}"
    response = client.patch(stay_url, json={field: None}, headers=headers)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert client.patch(stay_url, json={"address": None}, headers=headers).status_code == 200
