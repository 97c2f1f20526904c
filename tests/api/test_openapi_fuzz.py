"""Schemathesis against the OpenAPI, as every role, with real ids in every path.

The operations are read from the app's OpenAPI document when the tests are collected, so a
new route is fuzzed without touching this file. A small world (people, stays, cases,
attachments, outcomes, partners, referrals, delegations, emergencies, shifts, crises,
broadcasts, tokens…) is built once through the API; each generated request gets that
world's ids for its path parameters (a few get the generated ones, which should not exist)
and goes out as each role. Every answer must be no server error and match the documented
status codes, media types and schemas; date-times must carry their offset.

Operations are driven through Hypothesis directly (``operation.as_strategy()``) rather than
schemathesis's pytest plugin, which does not yet support this pytest release.
``PEDULI_FUZZ_EXAMPLES`` sets the examples per operation and role: 2 in CI, with a fixed
seed (``tests/fuzzing.py``), 20 in the slow job (``scripts/test.sh --slow``).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.api.app import create_app
from peduli.auth import service as auth_service
from peduli.auth import sessions
from peduli.auth.actor import Role
from peduli.auth.models import ApiToken, CitizenAccount
from peduli.conversations.models import Conversation
from peduli.conversations.platforms import whatsapp_signature
from peduli.core.config import get_settings
from peduli.core.db import session_scope, utcnow
from peduli.documents import service as documents_service
from peduli.documents.models import IssuedDocument
from peduli.notify.models import OutboxMessage
from peduli.registry import rights
from peduli.registry import service as registry_service
from peduli.registry.models import DataRequest, IdentityClaim, Person
from peduli.registry.schemas import SelfReportCreate
from peduli.stats import releases as stats_releases
from tests.conftest import empty_all_tables
from tests.conversations.conftest import whatsapp_message, whatsapp_payload
from tests.factories import nik, refreshed, report, signed_in_citizen
from tests.fuzzing import examples

EXAMPLES = int(os.environ.get("PEDULI_FUZZ_EXAMPLES") or examples(2))
pytestmark = pytest.mark.fuzz
SEOUL = "kbri-seoul"
STAFF_ROLES = {
    "officer": Role.OFFICER,
    "supervisor": Role.SUPERVISOR,
    "hq_analyst": Role.HQ_ANALYST,
    "hq_admin": Role.HQ_ADMIN,
    "partner": Role.PARTNER,
    "agency": Role.AGENCY,
}
ROLES = [*STAFF_ROLES, "citizen"]

APP = create_app()
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
OPERATIONS = [
    (method.upper(), path)
    for path, methods in APP.openapi()["paths"].items()
    for method in methods
    if method in ("get", "put", "post", "patch", "delete")
]
PATH_PARAMETERS = sorted({name for _m, path in OPERATIONS for name in re.findall(r"{(\w+)}", path)})


@dataclass
class World:
    """Real ids for path parameters, and each role's credentials."""

    client: TestClient
    ids: dict[str, str] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    citizens: int = 0


def _ok(response: Any, *statuses: int) -> Any:
    assert response.status_code in (statuses or (200, 201)), response.text
    return response.json() if response.content else None


def _build(client: TestClient) -> World:
    world = World(client)
    with session_scope() as db:
        for name, role in STAFF_ROLES.items():
            email = f"fuzz-{name}@kemlu.example"
            post = SEOUL if role in (Role.OFFICER, Role.SUPERVISOR) else None
            auth_service.create_staff(db, email=email, role=role, representation_code=post)
            token = auth_service.create_token(db, email=email)
            world.headers[name] = {"Authorization": f"Bearer {token}"}
        # A spare token to revoke: the callers' own stay valid through the whole run.
        spare = auth_service.create_token(db, email="fuzz-hq_admin@kemlu.example")
        world.ids["token_id"] = str(
            db.scalars(select(ApiToken.id).where(ApiToken.prefix == spare[:12])).one()
        )
    hq, officer = world.headers["hq_admin"], world.headers["officer"]
    post = client.post
    ids = world.ids

    # The registry: a person and stay in Seoul, and a near-duplicate of them.
    made = _ok(post("/api/v1/self-reports", json=_report(1), headers=officer))
    ids["person_id"], ids["stay_id"] = made["person"]["id"], made["stay"]["id"]
    twin = _report(2, passport_number="C7654321", phone="+821098765432", email=None)
    _ok(post("/api/v1/self-reports", json=twin, headers=officer))
    duplicates = _ok(client.get("/api/v1/duplicates", headers=hq))["items"]
    ids["candidate_id"] = duplicates[0]["id"] if duplicates else str(uuid.uuid4())
    # Another pair, merged, for the routes of a merge (its undoing).
    sisters = [
        report(nik=None, full_name="Siti Aminah", passport_number=f"C555000{n}",
               phone=f"+82105550000{n}", email=None).model_dump(mode="json")
        for n in (1, 2)
    ]  # fmt: skip
    kept = _ok(post("/api/v1/self-reports", json=sisters[0], headers=officer))["person"]["id"]
    _ok(post("/api/v1/self-reports", json=sisters[1], headers=officer))
    pairs = _ok(client.get("/api/v1/duplicates", headers=hq))["items"]
    merged = next(p for p in pairs if kept in (p["person_id"], p["other_person_id"]))
    _ok(post(f"/api/v1/duplicates/{merged['id']}/merge", json={"keep_person_id": kept}, headers=hq))
    ids["merge_id"] = _ok(client.get(f"/api/v1/persons/{kept}/merges", headers=hq))[0]["id"]

    # A case with everything that hangs off it.
    case = _ok(
        post(
            "/api/v1/cases",
            json={
                "category": "labour",
                "summary": "Wages unpaid for four months.",
                "person_id": ids["person_id"],
                "people": [{"name": "Dewi Sartika", "phone": "+821077778888"}],
            },
            headers=officer,
        )
    )
    ids["case_id"] = case["id"]
    case_url = f"/api/v1/cases/{case['id']}"
    full = _ok(client.get(case_url, headers=officer))
    ids["case_person_id"] = next(p["id"] for p in full["people"] if p["person_id"] is None)
    attachment = post(
        f"{case_url}/attachments",
        files={"file": ("slip.txt", b"Slip gaji Oktober", "text/plain")},
        headers=officer,
    )
    ids["attachment_id"] = _ok(attachment)["id"]
    outcome = _ok(post(f"{case_url}/outcomes", json={"kind": "repatriated"}, headers=officer))
    ids["outcome_id"] = outcome["id"]

    # A partner with a member, a referral and a delegation of the case to the partner.
    partner = _ok(
        post(
            "/api/v1/partners",
            json={"name": "Mitra Seoul", "kind": "ngo", "country": "KR"},
            headers=officer,
        )
    )
    ids["partner_id"] = partner["id"]
    members = f"/api/v1/partners/{partner['id']}/members"
    for who in ("partner", "spare"):
        body = {"email": f"fuzz-member-{who}@mitra.example", "display_name": f"Staf {who}"}
        member = _ok(post(members, json=body, headers=officer))
        ids["account_id"] = member["account_id"]  # the spare one: removing it costs nothing
        if who == "partner":
            with session_scope() as db:
                token = auth_service.create_token(db, email=member["email"])
            world.headers["partner"] = {"Authorization": f"Bearer {token}"}
    referral = {"agency_kind": "police", "agency_name": "Ansan police",
                "purpose": "Report the employer.", "consent": True}  # fmt: skip
    ids["referral_id"] = _ok(post(f"{case_url}/referrals", json=referral, headers=officer))["id"]
    delegation = {"partner_id": partner["id"], "task": "Visit her.", "consent": True}
    ids["delegation_id"] = _ok(post(f"{case_url}/delegations", json=delegation, headers=officer))[
        "id"
    ]

    # Emergencies and the duty roster.
    sos = {"name": "Dewi", "country": "KR", "city": "Ansan", "kind": "violence",
           "phone": "+821077778888"}  # fmt: skip
    ids["emergency_id"] = _ok(post("/api/v1/emergencies", json=sos))["id"]
    ids["representation_code"] = SEOUL
    shift = {
        "account_id": _account_id("fuzz-officer@kemlu.example"),
        "starts_local": "2026-11-24T22:00:00",
        "ends_local": "2026-11-25T06:00:00",
    }
    shifts = f"/api/v1/duty-rosters/{SEOUL}/shifts"
    ids["shift_id"] = _ok(post(shifts, json=shift, headers=world.headers["supervisor"]))["id"]

    # A crisis around Seoul with a drafted broadcast.
    area = {"circle": {"lat": 37.5665, "lon": 126.978, "radius_km": 5}}
    crisis = {"title": "Banjir Seoul", "kind": "flood", "severity": "severe", "area": area}
    ids["crisis_id"] = _ok(post("/api/v1/crises", json=crisis, headers=hq))["id"]
    broadcast = {"messages": {"id": "Banjir. Naik ke tempat tinggi."}, "channels": ["sms"]}
    ids["broadcast_id"] = _ok(
        post(f"/api/v1/crises/{ids['crisis_id']}/broadcasts", json=broadcast, headers=hq)
    )["id"]

    # A partner system's webhook subscription.
    subscription = {"subscriber": "Fuzz NGO", "url": "https://hooks.fuzz.example/p",
                    "purpose": "fuzzing the API", "event_types": ["case.opened"]}  # fmt: skip
    ids["subscription_id"] = _ok(
        post("/api/v1/webhooks/subscriptions", json=subscription, headers=hq)
    )["subscription"]["id"]

    # A WhatsApp conversation with the Seoul post.
    chat = whatsapp_payload(whatsapp_message("+821066667777", "Halo"))
    raw = json.dumps(chat).encode()
    signature = whatsapp_signature(raw, get_settings().whatsapp_app_secret)
    signed = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    _ok(post("/api/v1/channels/whatsapp/webhook", content=raw, headers=signed))

    # An agency export queued for a dry run.
    export = b"NIK,Nama Lengkap\n3171011705900001,Budi\n"
    queued = post("/api/v1/imports", files={"file": ("p.csv", export, "text/csv")}, headers=hq)
    ids["import_id"] = _ok(queued, 202)["id"]

    # An election with a Seoul station, its lists generated and checked (a problem to resolve).
    day = {"name": "Pemilu Fuzz", "election_day": "2029-02-14"}
    ids["election_id"] = _ok(post("/api/v1/elections", json=day, headers=hq), 201)["id"]
    place = {"representation_code": SEOUL, "kind": "tpsln", "code": "T1", "location": "KBRI"}
    _ok(post(f"/api/v1/elections/{ids['election_id']}/places", json=place, headers=hq), 201)
    _ok(post(f"/api/v1/elections/{ids['election_id']}/lists", json=None, headers=hq), 201)
    checked = f"/api/v1/elections/{ids['election_id']}/checks?representation={SEOUL}"
    _ok(post(checked, headers=hq))
    voters = f"/api/v1/elections/{ids['election_id']}/voters?representation={SEOUL}"
    ids["entry_id"] = str(_ok(client.get(voters, headers=hq))["items"][0]["entry_id"])
    problems = f"/api/v1/elections/{ids['election_id']}/problems?representation={SEOUL}"
    ids["problem_id"] = str(_ok(client.get(problems, headers=hq))[0]["id"])

    with session_scope() as db:
        ids["conversation_id"] = str(db.scalars(select(Conversation.id).limit(1)).one())
        ids["message_id"] = str(db.scalars(select(OutboxMessage.id).limit(1)).one())
        ids["claim_id"] = str(_pending_claim(db).id)
        ids["request_id"] = str(_correction_request(db).id)
        ids["application_id"] = str(_service_application(db, uuid.UUID(ids["person_id"])))
        ids["document_id"] = str(_issued_document(db, ids["person_id"]).id)
        ids["appointment_id"] = str(_appointment(db, uuid.UUID(ids["person_id"])))
        # A published open-data month, so its routes answer with a table.
        stats_releases.publish_last_month(db, utcnow())
    return world


def _appointment(db: Session, person_id: uuid.UUID) -> uuid.UUID:
    """An appointment of the world's first person at Seoul, tomorrow at ten."""
    from datetime import timedelta

    from peduli.core.db import utcnow
    from peduli.services.models import Appointment, AppointmentSlot

    starts = utcnow().replace(microsecond=0) + timedelta(days=1)
    slot = AppointmentSlot(representation_code=SEOUL, service_code="passport-renewal",
                           starts_at=starts, ends_at=starts + timedelta(minutes=30),
                           capacity=4, booked=1)  # fmt: skip
    db.add(slot)
    db.flush()
    appointment = Appointment(
        reference="J26-FUZZ0001", slot_id=slot.id, representation_code=SEOUL,
        service_code="passport-renewal", person_id=person_id, holder_name="Fuzz",
        party_size=1, starts_at=starts, ends_at=slot.ends_at, local_day=starts.date(),
        local_start="tomorrow", state="booked", language="id", sequence=0,
    )  # fmt: skip
    db.add(appointment)
    db.flush()
    return appointment.id


def _service_application(db: Session, person_id: uuid.UUID) -> uuid.UUID:
    """A passport renewal of the world's first person at Seoul, due in a week."""
    from datetime import timedelta

    from peduli.core.db import utcnow
    from peduli.services import catalogue
    from peduli.services.models import ServiceApplication

    catalogue.load_shipped(db)
    application = ServiceApplication(
        reference="L26-FUZZ0001", service_code="passport-renewal", service_version=1,
        representation_code=SEOUL, person_id=person_id, applicant_name="Fuzz",
        applicant_birth_date=date(1990, 5, 17), applying_for="self", language="id",
        state="submitted", fee_usd_cents=2500, payment_method="counter",
        payment_state="at_counter", due_at=utcnow() + timedelta(days=7),
    )  # fmt: skip
    db.add(application)
    db.flush()
    return application.id


def _issued_document(db: Session, person_id: str) -> IssuedDocument:
    """A proof of self-report of the world's first person, issued in Seoul."""
    person = db.get_one(Person, uuid.UUID(person_id))
    return documents_service.issue(
        db, kind="self_report", holder_person_id=person.id, name=person.full_name,
        birth_date=person.date_of_birth, representation_code=SEOUL,
        expires_on=date.today() + timedelta(days=180),
    ).document  # fmt: skip


def _pending_claim(db: Session) -> IdentityClaim:
    """A citizen's report naming the world's first person: a pending identity claim."""
    claimant = signed_in_citizen(db, "claimant@fuzz.example")
    named_first = SelfReportCreate.model_validate(
        _report(1, email="claimant@fuzz.example", phone=None)
    )
    outcome = registry_service.submit_self_report(db, report=named_first, actor=claimant)
    assert isinstance(outcome, registry_service.PendingClaim)
    return outcome.claim


def _correction_request(db: Session) -> DataRequest:
    """A citizen of Seoul asks for a correction of their own record."""
    citizen = signed_in_citizen(db, "corrects@fuzz.example")
    own = SelfReportCreate.model_validate(_report(9, passport_number="C9090909", email=None))
    registry_service.submit_self_report(db, report=own, actor=citizen)
    return rights.request_correction(db, actor=refreshed(db, citizen), message="Born in Cirebon")


def _report(serial: int, **overrides: Any) -> dict[str, Any]:
    born = date(1990, 5, 17)
    body = report(nik=nik(born=born, serial=serial), **overrides)
    return body.model_dump(mode="json")


def _account_id(email: str) -> str:
    from peduli.auth.models import StaffAccount

    with session_scope() as db:
        return str(db.scalars(select(StaffAccount.id).where(StaffAccount.email == email)).one())


@pytest.fixture(scope="module")
def world(engine: Engine) -> Iterator[World]:
    """One world for every operation and role (staff passwords are argon2-hashed)."""
    empty_all_tables(engine)
    with TestClient(APP) as client:
        yield _build(client)


def _citizen_headers(world: World) -> dict[str, str]:
    """A citizen with their own record and a fresh session: an earlier example may have
    signed them out or erased them."""
    world.citizens += 1
    n = world.citizens
    born = date(1960, 1, 1) + timedelta(days=37 * n)
    with session_scope() as db:
        address = f"fuzz-citizen-{n}@example.org"
        actor = signed_in_citizen(db, address, ip=f"203.0.113.{n % 250 + 1}")
        registry_service.submit_self_report(
            db,
            report=report(
                nik=nik(born=born, serial=1000 + n),
                date_of_birth=born,
                full_name=_citizen_name(n),
                passport_number=f"X{n:07d}",
                email=address,
                phone=None,
            ),
            actor=actor,
        )
        account = db.get_one(CitizenAccount, actor.account_id)
        started = sessions.start(db, citizen_account_id=account.id, ip="203.0.113.1")
        return {
            "Cookie": f"peduli_session={started.token}",
            "X-CSRF-Token": started.row.csrf_token,
        }


GIVEN_NAMES = ("Agus", "Bambang", "Cahyo", "Dedi", "Eko", "Fajar", "Gilang", "Hendra", "Indra",
               "Joko", "Kurniawan", "Lukman", "Mulyono", "Nanang", "Oki", "Purnomo", "Rizki",
               "Slamet", "Taufik", "Wahyu")  # fmt: skip
FAMILY_NAMES = ("Hidayat", "Kusuma", "Lubis", "Nasution", "Pratama", "Santoso", "Saputra",
                "Setiawan", "Siregar", "Wibowo")  # fmt: skip


def _citizen_name(n: int) -> str:
    """A name of the citizen's own, born on a day of their own: with one name and birthday
    for all, linkage rightly paired each new citizen with every earlier one, and the
    quadratic matching was half of this module's time."""
    given = GIVEN_NAMES[n % len(GIVEN_NAMES)]
    family = FAMILY_NAMES[n // len(GIVEN_NAMES) % len(FAMILY_NAMES)]
    return f"{given} {family}"


def test_every_path_parameter_has_a_real_value(world: World) -> None:
    """A new path parameter needs one line in ``_build``: ``ids["claim_id"] = …``."""
    assert set(PATH_PARAMETERS) <= set(world.ids), set(PATH_PARAMETERS) - set(world.ids)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_as_role_keeps_the_contract(
    world: World, method: str, path: str, role: str
) -> None:
    operation = SCHEMA[path][method]
    headers = _citizen_headers(world) if role == "citizen" else world.headers[role]
    real = {name: world.ids[name] for name in re.findall(r"{(\w+)}", path) if name in world.ids}
    strategies = [operation.as_strategy()]
    if real:
        # The world's ids for the first example, then either those or generated ones.
        strategies.insert(0, operation.as_strategy(path_parameters=real))

    @given(case=st.one_of(*strategies))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case: schemathesis.Case) -> None:
        # A schema cannot say "at least one of name, nik, …" or "a real NIK", so a
        # schema-valid request may rightly get a 422 problem; every other check applies.
        response = case.call_and_validate(
            headers=headers, excluded_checks=[positive_data_acceptance]
        )
        _offsets_everywhere(response)

    exercise()


NEGATIVE_ROLES = ["officer", "hq_admin", "citizen"]
# Operations with something to get wrong: a JSON body or query parameters (a CAP alert is
# any text, so only its parsing can refuse it: tests/crisis/test_cap.py).
WITH_INPUT = [
    (method, path)
    for method, path in OPERATIONS
    if any(body.media_type == "application/json" for body in SCHEMA[path][method].body)
    or len(SCHEMA[path][method].query)
]


@pytest.mark.parametrize("role", NEGATIVE_ROLES)
@pytest.mark.parametrize(("method", "path"), WITH_INPUT)
def test_operation_refuses_what_the_schema_refuses(
    world: World, method: str, path: str, role: str
) -> None:
    """Bodies and queries the schema refuses (a number in quotes, a missing field, a wrong
    enum) get a 4xx, never a 2xx or a 5xx: input is refused, not coerced."""
    operation = SCHEMA[path][method]
    headers = _citizen_headers(world) if role == "citizen" else world.headers[role]
    real = {name: world.ids[name] for name in re.findall(r"{(\w+)}", path) if name in world.ids}

    @given(case=operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=real))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, negative_data_rejection]
        )

    exercise()


# RFC 3339 date-time: a date, a time, and an offset (Z or ±hh:mm).
DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(?P<offset>Z|[+-]\d{2}:\d{2})?$"
)


def _offsets_everywhere(response: Any) -> None:
    """Every date-time in a JSON answer says which offset it is in."""
    if "json" not in response.headers.get("content-type", ""):
        return
    for value in _strings(response.json()):
        match = DATE_TIME.match(value)
        assert match is None or match["offset"], f"a date-time without offset: {value}"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
