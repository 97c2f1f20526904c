"""The elections API: HQ declares an election and generates the lists; a post's committee
reads its voters (opened), runs the checks and exports the list with its checksum and
signature; another post's gets 404; a citizen checks their own registration."""

from __future__ import annotations

import base64
import csv
import hashlib
import io

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from peduli.auth import tokens
from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.documents import keys
from peduli.elections.roll import COLUMNS
from peduli.registry import service as registry_service
from tests.elections.conftest import KL, SEOUL, person
from tests.factories import nik, refreshed, report, signed_in_citizen
from tests.services.conftest import api_citizen

API = "/api/v1"
CITIZEN = "rina@example.org"


@pytest.fixture
def bearer(db: Session) -> dict[str, dict[str, str]]:
    headers: dict[str, dict[str, str]] = {}
    for name, role, post in (("hq", Role.HQ_ADMIN, None), ("officer", Role.OFFICER, SEOUL),
                             ("officer_kl", Role.OFFICER, KL)):  # fmt: skip
        account = StaffAccount(email=f"{name}@kemlu.example", display_name=name,
                               role=role.value, representation_code=post)  # fmt: skip
        db.add(account)
        db.flush()
        headers[name] = {
            "Authorization": f"Bearer {tokens.issue(db, account=account, days=1).token}"
        }
    db.commit()
    return headers


@pytest.fixture
def election_id(client: TestClient, db: Session, bearer: dict[str, dict[str, str]]) -> str:
    """An election with a Seoul station, and its first round: Dewi, Budi and the citizen."""
    person(db, 1, name="Dewi Lestari", address="12 Sejong-daero, Jung-gu")
    person(db, 2, name="=HYPERLINK(1)", sex="M")
    citizen = signed_in_citizen(db, CITIZEN)
    own = report(nik=nik(serial=9), passport_number="C0000009", full_name="Rina Wati",
                 email=CITIZEN, phone="+821099998888")  # fmt: skip
    registry_service.submit_self_report(db, report=own, actor=citizen)
    db.commit()
    refreshed(db, citizen)
    db.rollback()
    hq = bearer["hq"]
    day = {"name": "Pemilu 2029", "election_day": "2029-02-14"}
    made = client.post(f"{API}/elections", json=day, headers=hq)
    assert made.status_code == 201, made.text
    ident = made.json()["id"]
    place = {"representation_code": SEOUL, "kind": "tpsln", "code": "TPSLN 01",
             "location": "KBRI Seoul, Yeouido"}  # fmt: skip
    assert client.post(f"{API}/elections/{ident}/places", json=place, headers=hq).status_code == 201
    committee = {"representation_code": SEOUL, "name": "PPLN Seoul"}
    assert client.put(f"{API}/elections/{ident}/committee", json=committee,
                      headers=hq).status_code == 200  # fmt: skip
    lists = client.post(f"{API}/elections/{ident}/lists", headers=hq)
    assert lists.json() == {"round": 1, "lists": 1, "voters": 3}, lists.text
    return str(ident)


def test_only_hq_declares_an_election(
    client: TestClient, bearer: dict[str, dict[str, str]]
) -> None:
    day = {"name": "Pemilu 2029", "election_day": "2029-02-14"}
    assert client.post(f"{API}/elections", json=day, headers=bearer["officer"]).status_code == 403
    bad = client.post(f"{API}/elections", json={"name": "x"}, headers=bearer["hq"])
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_the_committee_reads_its_voters_and_another_post_gets_404(
    client: TestClient, bearer: dict[str, dict[str, str]], election_id: str
) -> None:
    url = f"{API}/elections/{election_id}/voters"
    page = client.get(url, headers=bearer["officer"]).json()
    dewi = next(v for v in page["items"] if v["full_name"] == "Dewi Lestari")
    assert page["total"] == 3
    assert dewi["nik"] == nik(serial=1, sex="F") and dewi["passport"] == "C0000001"
    assert dewi["address"] == "12 Sejong-daero, Jung-gu" and dewi["method"] == "tpsln"
    assert dewi["polling_place"] == "TPSLN 01" and dewi["contact"] == "+821000000001"
    other = client.get(f"{url}?representation={SEOUL}", headers=bearer["officer_kl"])
    assert other.status_code == 404
    summary = client.post(f"{API}/elections/{election_id}/checks", headers=bearer["officer"])
    assert summary.json()["voters"] == 3 and summary.json()["state"] == "checked"
    problems = client.get(f"{API}/elections/{election_id}/problems", headers=bearer["officer"])
    assert {p["kind"] for p in problems.json()} == {"unverified"}


def test_the_export_has_the_fixed_columns_a_checksum_and_a_signature(
    client: TestClient, db: Session, bearer: dict[str, dict[str, str]], election_id: str
) -> None:
    url = f"{API}/elections/{election_id}/voters/export?representation={SEOUL}"
    answer = client.get(url, headers=bearer["hq"])
    assert answer.status_code == 200, answer.text
    content = answer.content
    assert answer.headers["x-checksum-sha256"] == hashlib.sha256(content).hexdigest()
    signature = base64.urlsafe_b64decode(answer.headers["x-signature"] + "==")
    key = keys.public_keys(db)[bytes.fromhex(answer.headers["x-signature-key"])]
    db.rollback()  # end the read: the app (another connection) writes next
    key.verify(signature, content, ec.ECDSA(hashes.SHA256()))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 4
    dewi = next(r for r in rows if r[3] == "Dewi Lestari")
    assert dewi[1] == nik(serial=1, sex="F") and dewi[4] == "P" and dewi[6] == "17-05-1990"
    assert dewi[14] == "TPSLN" and dewi[15] == "TPSLN 01" and dewi[13] == SEOUL
    assert any(r[3] == "'=HYPERLINK(1)" for r in rows)  # no formula reaches a spreadsheet
    book = client.get(url + "&format=xlsx", headers=bearer["officer"])
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    assert tuple(c.value for c in sheet[1]) == COLUMNS and sheet.max_row == 4


def test_a_citizen_checks_their_registration(client: TestClient, election_id: str) -> None:
    assert client.get(f"{API}/me/voter-registration").status_code == 401
    api_citizen(client, CITIZEN)
    mine = client.get(f"{API}/me/voter-registration").json()
    assert mine == [
        {
            "election_id": election_id, "election": "Pemilu 2029", "election_day": "2029-02-14",
            "registered": True, "representation_code": SEOUL, "committee": "PPLN Seoul",
            "method": "tpsln", "polling_place": "TPSLN 01",
            "polling_place_location": "KBRI Seoul, Yeouido", "list_fixed": False,
        }
    ]  # fmt: skip
