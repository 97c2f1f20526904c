"""``Idempotency-Key``: a keyed write sent again is answered with the first answer and
written once, on the hot paths (self-reports) and through ``get_db`` alike."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError

from peduli.api import idempotency as keyed_writes
from peduli.auth import service as auth_service
from peduli.auth import tokens
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.auth.models import ApiToken
from peduli.cases.models import Case
from peduli.core import idempotency, jobs
from peduli.core.db import session_scope, utcnow
from peduli.registry.models import Person
from tests.factories import report

SELF_REPORTS = "/api/v1/self-reports"


def _officer(email: str = "officer@kemlu.example") -> dict[str, str]:
    with session_scope() as db:
        auth_service.create_staff(
            db, email=email, role=Role.OFFICER, representation_code="kbri-seoul"
        )
        token = auth_service.create_token(db, email=email)
    return {"Authorization": f"Bearer {token}"}


def _count(model: type) -> int:
    with session_scope() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _body(**changes: object) -> dict[str, object]:
    return report(**changes).model_dump(mode="json")


def _keyed(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key or str(uuid.uuid4())}


def test_a_self_report_sent_twice_is_written_once_and_answered_alike(client: TestClient) -> None:
    headers = _keyed(_officer())
    first = client.post(SELF_REPORTS, json=_body(), headers=headers)
    again = client.post(SELF_REPORTS, json=_body(), headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _count(Person) == 1


def test_without_a_key_each_request_is_its_own(client: TestClient) -> None:
    headers = _officer()
    client.post(SELF_REPORTS, json=_body(), headers=headers)
    again = client.post(SELF_REPORTS, json=_body(), headers=headers)
    assert again.status_code == 201  # the registry links the second report to the person
    assert "idempotent-replayed" not in again.headers


def test_a_write_through_get_db_sent_twice_is_written_once(client: TestClient) -> None:
    headers = _officer()
    case = {"category": "labour", "summary": "Wages unpaid since July."}
    keyed = _keyed(headers)
    first = client.post("/api/v1/cases", json=case, headers=keyed)
    again = client.post("/api/v1/cases", json=case, headers=keyed)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    assert _count(Case) == 1
    client.post("/api/v1/cases", json=case, headers=_keyed(headers))  # a new key: a new case
    assert _count(Case) == 2


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(client: TestClient) -> None:
    headers = _keyed(_officer())
    client.post(SELF_REPORTS, json=_body(), headers=headers)
    other = client.post(SELF_REPORTS, json=_body(full_name="Dewi Lestari"), headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert _count(Person) == 1


def test_a_key_is_the_callers_own(client: TestClient) -> None:
    key, case = str(uuid.uuid4()), {"category": "labour", "summary": "Wages unpaid."}
    client.post("/api/v1/cases", json=case, headers=_keyed(_officer(), key))
    theirs = client.post(
        "/api/v1/cases", json=case, headers=_keyed(_officer("other@kemlu.example"), key)
    )
    assert theirs.status_code == 201 and "idempotent-replayed" not in theirs.headers
    assert _count(Case) == 2


def test_a_refused_request_is_not_kept_so_the_corrected_one_goes_through(
    client: TestClient,
) -> None:
    headers = _keyed(_officer())
    refused = client.post(SELF_REPORTS, json=_body(nik="123"), headers=headers)
    assert refused.status_code == 422
    corrected = client.post(SELF_REPORTS, json=_body(), headers=headers)
    assert corrected.status_code == 201, corrected.text
    assert _count(Person) == 1


@pytest.mark.parametrize("key", ["", "x" * 201, "two words"])
def test_a_malformed_key_is_refused_with_how_to_fix_it(client: TestClient, key: str) -> None:
    answer = client.post(SELF_REPORTS, json=_body(), headers={**_officer(), "Idempotency-Key": key})
    assert answer.status_code == 422
    problem = answer.json()["errors"][0]
    assert problem["code"] == "idempotency_key_invalid" and problem["hint"]
    assert _count(Person) == 0


def test_a_copy_racing_the_first_is_rolled_back_and_given_the_first_answer(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = _keyed(_officer())
    first = client.post(SELF_REPORTS, json=_body(), headers=headers)
    # The copy looked before the first had committed: it finds nothing and writes, and
    # meets the first's answer only at its own commit.
    monkeypatch.setattr(keyed_writes, "_find", _found_on_second_look(keyed_writes._find))
    copy = client.post(SELF_REPORTS, json=_body(), headers=headers)
    assert copy.status_code == 201 and copy.json() == first.json()
    assert copy.headers["idempotent-replayed"] == "true"
    assert _count(Person) == 1


def _found_on_second_look(find: object) -> object:
    looks = 0

    def late(digest: str) -> idempotency.KeptAnswer | None:
        nonlocal looks
        looks += 1
        return None if looks == 1 else find(digest)  # type: ignore[operator]

    return late


def test_sign_in_answers_are_never_kept(client: TestClient) -> None:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    for _attempt in range(2):
        answer = client.post(
            "/api/v1/auth/citizen/code", json={"address": "ani@example.org"}, headers=headers
        )
        assert answer.status_code == 202
        assert "idempotent-replayed" not in answer.headers
    assert _count(idempotency.IdempotentRequest) == 0


def test_kept_answers_are_sealed_and_forgotten_after_a_day(client: TestClient) -> None:
    client.post(SELF_REPORTS, json=_body(full_name="Siti Aminah"), headers=_keyed(_officer()))
    with session_scope() as db:
        stored = db.execute(text("SELECT body FROM idempotent_request")).scalar_one()
        assert "Siti Aminah" not in stored  # raw column: sealed
        assert jobs.forget_old_idempotent_answers(db, utcnow()) == 0
        db.execute(
            update(idempotency.IdempotentRequest).values(
                created_at=utcnow() - idempotency.KEPT_FOR - timedelta(minutes=1)
            )
        )
        assert jobs.forget_old_idempotent_answers(db, utcnow()) == 1


def test_the_openapi_names_the_header_on_writes_only(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def named(path: str, method: str) -> bool:
        parameters = paths[path][method].get("parameters", [])
        return any(p["name"] == "Idempotency-Key" for p in parameters)

    assert named("/api/v1/cases", "post") and named(SELF_REPORTS, "post")
    assert not named("/api/v1/cases", "get")
    assert not named("/api/v1/auth/login", "post")


def test_a_database_gone_while_looking_for_the_answer_is_a_503_to_retry(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = _keyed(_officer())

    def gone(_digest: str) -> None:
        raise OperationalError(
            "SELECT", {}, Exception("server closed"), connection_invalidated=True
        )

    monkeypatch.setattr(keyed_writes, "_find", gone)
    answer = client.post(SELF_REPORTS, json=_body(), headers=headers)
    assert answer.status_code == 503
    assert answer.json()["code"] == "database_unavailable" and answer.headers["retry-after"]
    assert _count(Person) == 0


def test_a_replay_is_audited_as_the_callers(client: TestClient) -> None:
    headers = _keyed(_officer())
    client.post(SELF_REPORTS, json=_body(), headers=headers)
    client.post(SELF_REPORTS, json=_body(), headers=headers)
    with session_scope() as db:
        replays = db.scalars(
            select(AuditEntry).where(AuditEntry.action == "api.answer.replayed")
        ).all()
    assert len(replays) == 1 and replays[0].actor_account_id is not None


def test_no_replay_once_the_credential_is_revoked(client: TestClient) -> None:
    headers = _keyed(_officer())
    client.post(SELF_REPORTS, json=_body(), headers=headers)
    with session_scope() as db:
        token_id = db.scalars(select(ApiToken.id)).one()
        tokens.revoke(db, token_id=token_id, account_id=None)
    again = client.post(SELF_REPORTS, json=_body(), headers=headers)
    assert again.status_code == 401 and "idempotent-replayed" not in again.headers
