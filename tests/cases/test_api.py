"""The cases API end to end: intake, queue, sub-resources, problems, access."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from peduli.api.app import create_app
from peduli.auth import tokens
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.auth.models import StaffAccount
from peduli.core.db import session_scope
from tests.cases.conftest import KL, SEOUL

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def api(
    clean_engine: Engine, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], dict[str, str]]]:
    """A client and bearer headers of staff of two posts, HQ, a partner and an agency."""
    from peduli.core.config import get_settings

    monkeypatch.setenv("PEDULI_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    people = {
        "officer": (Role.OFFICER, SEOUL),
        "supervisor": (Role.SUPERVISOR, SEOUL),
        "officer_kl": (Role.OFFICER, KL),
        "analyst": (Role.HQ_ANALYST, None),
        "admin": (Role.HQ_ADMIN, None),
        "partner": (Role.PARTNER, SEOUL),
        "agency": (Role.AGENCY, None),
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
            issued = tokens.issue(db, account=account, days=1)
            headers[name] = {"Authorization": f"Bearer {issued.token}"}
            ids[name] = str(account.id)
    with TestClient(create_app()) as client:
        yield client, headers, ids
    get_settings.cache_clear()


def _open(client: TestClient, headers: dict[str, str], **body: object) -> dict[str, object]:
    payload = {"category": "labour", "summary": "Wages unpaid since July.", **body}
    response = client.post("/api/v1/cases", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_case_goes_through_its_whole_life(api: tuple) -> None:  # type: ignore[type-arg]
    client, headers, ids = api
    officer = headers["officer"]
    created = _open(client, officer, subcategory="unpaid_wages")
    assert str(created["reference"]).startswith("KBRI-SEOUL-")
    assert created["priority"] == "normal" and created["status"] == "new"
    url = f"/api/v1/cases/{created['id']}"
    for step in ("triaged", "in_progress"):
        assert (
            client.post(f"{url}/transitions", json={"to": step}, headers=officer).status_code == 200
        )
    refused = client.post(f"{url}/transitions", json={"to": "closed"}, headers=officer)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "waiting, resolved" in refused.json()["detail"]
    assigned = client.put(f"{url}/assignment", json={"officer_id": ids["officer"]}, headers=officer)
    assert assigned.json()["assigned_officer_id"] == ids["officer"]
    elsewhere = client.put(
        f"{url}/assignment", json={"officer_id": ids["officer_kl"]}, headers=officer
    )
    assert elsewhere.status_code == 422
    note = client.post(
        f"{url}/notes",
        json={"text": "Called the employer.", "visibility": "shared"},
        headers=officer,
    )
    assert note.status_code == 201
    uploaded = client.post(
        f"{url}/attachments", files={"file": ("slip.png", PNG, "image/png")}, headers=officer
    )
    assert uploaded.status_code == 201, uploaded.text
    fetched = client.get(f"{url}/attachments/{uploaded.json()['id']}", headers=officer)
    assert fetched.content == PNG and fetched.headers["cache-control"] == "no-store"
    outcome = client.post(
        f"{url}/outcomes",
        json={"kind": "money_recovered", "amount": "2000000", "currency": "KRW",
              "achieved_on": "2025-08-01"},
        headers=officer,
    )  # fmt: skip
    assert outcome.status_code == 201, outcome.text
    assert outcome.json()["idr_value"] == 2000000 * 11.9
    resolved = client.post(f"{url}/transitions", json={"to": "resolved"}, headers=officer)
    assert resolved.json()["allowed_transitions"] == ["closed", "in_progress"]
    events = client.get(f"{url}/events", headers=officer).json()
    kinds = [e["kind"] for e in events["items"]]
    assert kinds[0] == "created" and "attachment" in kinds and "outcome" in kinds
    stats = client.get(
        "/api/v1/stats/outcomes", params={"from": "2025-01-01"}, headers=headers["analyst"]
    ).json()
    assert stats["cases_resolved"] == 1
    assert stats["financial_recovered_idr"] == 23_800_000
    assert stats["by_representation"][0]["representation_code"] == SEOUL


def test_other_posts_partners_and_analysts_are_kept_out(api: tuple) -> None:  # type: ignore[type-arg]
    client, headers, _ids = api
    created = _open(client, headers["officer"])
    url = f"/api/v1/cases/{created['id']}"
    assert client.get(url, headers=headers["officer_kl"]).status_code == 404
    for role in ("partner", "analyst", "agency"):
        assert client.get(url, headers=headers[role]).status_code == 403, role
    assert client.get(url, headers={}).status_code == 401
    assert client.get(url, headers=headers["admin"]).status_code == 200
    queue = client.get("/api/v1/cases", headers=headers["officer_kl"]).json()
    assert queue["total"] == 0
    with session_scope() as db:
        denied = db.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.outcome == "denied")
        )
    assert denied and denied >= 4


def test_an_agency_refers_a_case_to_a_post(api: tuple) -> None:  # type: ignore[type-arg]
    client, headers, _ids = api
    created = _open(
        client, headers["agency"], category="trafficking", representation_code=KL,
        people=[{"name": "Andi", "phone": "+60123456789"}],
    )  # fmt: skip
    assert created["priority"] == "critical"
    queue = client.get("/api/v1/cases", headers=headers["officer_kl"]).json()
    assert queue["items"][0]["intake_channel"] == "agency_api"
    missing = client.post(
        "/api/v1/cases", json={"category": "labour", "summary": "x"}, headers=headers["agency"]
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "representation_code"
    partner = client.post(
        "/api/v1/cases", json={"category": "labour", "summary": "x"}, headers=headers["partner"]
    )
    assert partner.status_code == 403


def test_the_queue_shortens_summaries_the_case_screen_does_not(api: tuple) -> None:  # type: ignore[type-arg]
    client, headers, _ids = api
    long = "Worker says: " + "the employer keeps the passport. " * 12
    created = _open(client, headers["officer"], summary=long)
    queue = client.get("/api/v1/cases", headers=headers["officer"]).json()
    assert len(queue["items"][0]["summary"]) == 200
    case = client.get(f"/api/v1/cases/{created['id']}", headers=headers["officer"]).json()
    assert case["summary"] == long.strip()
    assert case["sla_state"] == "on_time" and case["allowed_transitions"] == ["triaged"]


@pytest.mark.parametrize(
    "name",
    ["근로계약서.png", "工资单.png", "كشف الراتب.png", "slip 📄🙂.png"],
    ids=["korean", "chinese", "arabic", "emoji"],
)
def test_a_file_of_any_name_downloads(api: tuple, name: str) -> None:  # type: ignore[type-arg]
    from urllib.parse import quote

    client, headers, _ids = api
    officer = headers["officer"]
    url = f"/api/v1/cases/{_open(client, officer)['id']}"
    uploaded = client.post(
        f"{url}/attachments", files={"file": (name, PNG, "image/png")}, headers=officer
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["filename"] == name
    fetched = client.get(f"{url}/attachments/{uploaded.json()['id']}", headers=officer)
    assert fetched.status_code == 200 and fetched.content == PNG
    disposition = fetched.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.endswith(f"filename*=UTF-8''{quote(name, safe='')}".replace("%2E", "."))
    assert fetched.headers["x-content-type-options"] == "nosniff"
