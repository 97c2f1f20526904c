"""The crisis day's people, for locust: officers, citizens, headquarters and the check-in storm.

    locust -f benchmarks/load/locustfile.py --headless --host http://127.0.0.1:8800 …

Run by ``python -m benchmarks.load.crisis_day``, which makes the accounts and sets
``LOAD_DIR`` (accounts, ledger, errors), ``LOAD_SEED``, ``LOAD_CRISIS_AFTER`` (seconds before
HQ declares the earthquake) and how many users of each kind (``LOAD_OFFICERS``,
``LOAD_CITIZENS``, ``LOAD_STORM``). Every write answered 2xx goes into the ledger with its id;
every 5xx into the errors file with its moment.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from typing import Any

import gevent
import pyotp
from locust import HttpUser, between, constant_throughput, events, task
from locust.clients import HttpSession

from benchmarks.load import shared
from peduli.crisis import links
from peduli.demo.population import Population

API = "/api/v1"
SEED = int(os.environ.get("LOAD_SEED", "2026"))
CRISIS_AFTER = float(os.environ.get("LOAD_CRISIS_AFTER", "30"))
HELP_EVERY = int(os.environ.get("LOAD_HELP_EVERY", "10"))
KUALA_LUMPUR = {"lat": 3.139, "lon": 101.687, "radius_km": 30}
_officer_numbers = itertools.count()
_newcomers = Population(seed=SEED + 1).citizens(10_000_000)  # not the seeded people
_recipients = shared.Recipients()
_answers = itertools.count()
_started = time.time()


@events.request.add_listener
def _timed(name: str, response_time: float, response: Any = None, **_kwargs: Any) -> None:
    shared.timed(name, response_time, getattr(response, "status_code", 0) or 0)


def keyed() -> dict[str, str]:
    """A new write's ``Idempotency-Key``: nginx may then send it on to another app process
    when the one it was sent to dies (``api/idempotency.py``), and a retry is written once."""
    return {"Idempotency-Key": str(uuid.uuid4())}


class Person(HttpUser):
    """A user behind its own address (nginx passes X-Forwarded-For on to the app, which
    rate-limits sign-ins per network, as it would for real people)."""

    abstract = True

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-For"] = (
            f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        )

    def call(self, method: str, path: str, *, name: str | None = None, ok: tuple[int, ...] = (200,),
             client: HttpSession | None = None, **kwargs: Any) -> Any:  # fmt: skip
        """One request; a status outside ``ok`` is a failure, a 5xx is also logged."""
        label = name or path
        with (client or self.client).request(
            method, path, name=label, catch_response=True, **kwargs
        ) as response:
            if response.status_code >= 500 or response.status_code == 0:
                shared.server_error(f"{method} {label}", response.status_code)
            if response.status_code in ok:
                response.success()
                return response
            response.failure(f"{response.status_code} {response.text[:120]}")
            return None


def sign_in_staff(user: Person, client: HttpSession, account: dict[str, str]) -> str | None:
    """Password and TOTP; a code is good once, so a retry waits for the next one."""
    for _attempt in range(4):
        body = {"email": account["email"], "password": account["password"],
                "totp": pyotp.TOTP(account["totp"]).now()}  # fmt: skip
        answer = user.call("POST", f"{API}/auth/login", json=body, client=client)
        if answer is not None:
            return str(answer.json()["csrf_token"])
        gevent.sleep(31 - time.time() % 30)
    return None


class Officer(Person):
    """A consular officer at KBRI Kuala Lumpur working the queue and cases."""

    fixed_count = int(os.environ.get("LOAD_OFFICERS", "6"))
    wait_time = between(2, 6)

    def on_start(self) -> None:
        super().on_start()
        officers = shared.accounts()["officers"]
        account = officers[next(_officer_numbers) % len(officers)]
        self.csrf = sign_in_staff(self, self.client, account) or ""
        self.cases: list[str] = []
        self.list_cases()

    def _write(self, path: str, body: dict[str, Any], name: str) -> Any:
        answer = self.call("POST", path, name=name, ok=(201,), json=body,
                           headers={"X-CSRF-Token": self.csrf, **keyed()})  # fmt: skip
        return answer.json() if answer is not None else None

    @task(3)
    def queue_page(self) -> None:
        self.call("GET", "/officer")

    @task(3)
    def list_cases(self) -> None:
        answer = self.call("GET", f"{API}/cases?open_only=true&limit=50", name=f"{API}/cases")
        if answer is not None:
            self.cases = [item["id"] for item in answer.json()["items"]]

    @task(4)
    def open_case(self) -> None:
        if self.cases:
            case = random.choice(self.cases)
            self.call("GET", f"/officer/cases/{case}", name="/officer/cases/{id}")
            self.call("GET", f"{API}/cases/{case}", name=f"{API}/cases/{{id}}")

    @task(2)
    def note(self) -> None:
        if self.cases:
            case = random.choice(self.cases)
            event = self._write(f"{API}/cases/{case}/notes", {"text": "Called back; safe."},
                                f"{API}/cases/{{id}}/notes")  # fmt: skip
            if event is not None:
                shared.acknowledged("case_note", case, seq=event["seq"])

    @task(1)
    def refer(self) -> None:
        if self.cases:
            case = random.choice(self.cases)
            body = {"agency_kind": "police", "agency_name": "Polis Diraja Malaysia",
                    "purpose": "Check on the worker's safety.", "consent": True}  # fmt: skip
            referral = self._write(f"{API}/cases/{case}/referrals", body,
                                   f"{API}/cases/{{id}}/referrals")  # fmt: skip
            if referral is not None:
                shared.acknowledged("referral", referral["id"])

    @task(1)
    def walk_in(self) -> None:
        body = {"category": "labour", "summary": "Walk-in: wages unpaid for three months."}
        case = self._write(f"{API}/cases", body, f"{API}/cases")
        if case is not None:
            shared.acknowledged("case", case["id"])


class Citizen(Person):
    """A citizen who signs in with a code by e-mail, reports their stay, reads their pages
    and sometimes asks for help."""

    fixed_count = int(os.environ.get("LOAD_CITIZENS", "10"))
    wait_time = between(3, 8)

    def on_start(self) -> None:
        super().on_start()
        self.me = next(_newcomers)
        self.address = f"load.{uuid.uuid4().hex[:12]}@example.org"
        self.csrf = ""
        self.call("GET", "/masuk")
        if self.call("POST", f"{API}/auth/citizen/code", ok=(202,), json={"address": self.address}):
            code = shared.sign_in_code(self.address)
            body = {"address": self.address, "code": code or "000000"}
            answer = self.call("POST", f"{API}/auth/citizen/verify", json=body)
            if answer is not None:
                self.csrf = answer.json()["csrf_token"]
                self.report()

    def report(self) -> None:
        body = self.me.report() | {"email": self.address}
        answer = self.call("POST", f"{API}/self-reports", ok=(201, 202), json=body,
                           headers={"X-CSRF-Token": self.csrf, **keyed()})  # fmt: skip
        if answer is not None and answer.status_code == 201:
            shared.acknowledged("person", answer.json()["person"]["id"])
        elif answer is not None:
            shared.acknowledged("claim", answer.json()["claim_id"])

    @task(3)
    def my_page(self) -> None:
        if self.csrf:
            self.call("GET", "/saya")
            self.call("GET", f"{API}/me")

    @task(2)
    def front_pages(self) -> None:
        self.call("GET", random.choice(("/", "/lapor-diri", "/bantuan")))

    @task(1)
    def ask_for_help(self) -> None:
        body = {"category": "labour", "summary": "My employer keeps my passport.",
                "country": "MY", "city": "Kuala Lumpur", "name": self.me.full_name,
                "contact_phone": self.me.phone}  # fmt: skip
        headers = ({"X-CSRF-Token": self.csrf} if self.csrf else {}) | keyed()
        answer = self.call("POST", f"{API}/help-requests", ok=(201,), json=body, headers=headers)
        if answer is not None:
            shared.acknowledged("case", answer.json()["id"])


class Headquarters(Person):
    """HQ: declares an earthquake over Kuala Lumpur, a second admin approves the broadcast,
    it is sent; then HQ watches the board."""

    fixed_count = 1
    wait_time = between(5, 10)

    def on_start(self) -> None:
        super().on_start()
        first, second = shared.accounts()["hq"]
        self.second = HttpSession(self.host, self.environment.events.request, self)
        self.second.headers.update(self.client.headers)
        self.csrf = sign_in_staff(self, self.client, first) or ""
        self.second_csrf = sign_in_staff(self, self.second, second) or ""
        gevent.sleep(max(0.0, _started + CRISIS_AFTER - time.time()))
        self.crisis = self.declare()

    def _post(self, path: str, body: Any, name: str, *, second: bool = False,
              ok: tuple[int, ...] = (200, 201)) -> Any:  # fmt: skip
        key = keyed()  # every attempt is the same step: written once, however often sent
        for _attempt in range(5):
            csrf = self.second_csrf if second else self.csrf
            answer = self.call("POST", path, name=name, ok=ok, json=body,
                               client=self.second if second else self.client,
                               headers={"X-CSRF-Token": csrf, **key})  # fmt: skip
            if answer is not None:
                return answer.json()
            gevent.sleep(1)
        return None

    def declare(self) -> str | None:
        body = {"title": "Gempa Kuala Lumpur", "kind": "earthquake", "severity": "severe",
                "area": {"circle": KUALA_LUMPUR}}  # fmt: skip
        crisis = self._post(f"{API}/crises", body, f"{API}/crises")
        if crisis is None:
            return None
        shared.acknowledged("crisis", crisis["id"])
        self.call(
            "GET", f"{API}/crises/{crisis['id']}/audience", name=f"{API}/crises/{{id}}/audience"
        )
        base = f"{API}/crises/{crisis['id']}/broadcasts"
        draft = {"messages": {"id": "Gempa kuat. Jauhi bangunan.", "en": "Strong earthquake. "
                 "Stay outside."}, "channels": ["sms"]}  # fmt: skip
        broadcast = self._post(base, draft, f"{base.replace(crisis['id'], '{id}')}")
        if broadcast is None:
            return crisis["id"]
        shared.acknowledged("broadcast", broadcast["id"])
        named = f"{API}/crises/{{id}}/broadcasts/{{id}}"
        path = f"{base}/{broadcast['id']}"
        approved = self._post(
            f"{path}/approve", None, f"{named}/approve", second=True, ok=(200, 409)
        )
        approved_at = time.time()
        sent = self._post(f"{path}/send", None, f"{named}/send", ok=(200, 202))
        figures = {"crisis_id": crisis["id"], "broadcast_id": broadcast["id"],
                   "approved": approved, "approved_at": approved_at, "sent": sent,
                   "send_answered_at": time.time()}  # fmt: skip
        shared.BROADCAST.write_text(json.dumps(figures | {"sent_at": self._queued(path, named)}))
        return str(crisis["id"])

    def _queued(self, path: str, named: str) -> float:
        """When every message was in the outbox: at once for a small audience, when the
        worker finished writing a large one (``status`` no longer ``sending``)."""
        while True:
            answer = self.call("GET", f"{path}/delivery", name=f"{named}/delivery")
            if answer is not None and answer.json().get("status") != "sending":
                return time.time()
            gevent.sleep(1)

    @task
    def board(self) -> None:
        if self.crisis:
            self.call("GET", f"{API}/crises/{self.crisis}/board", name=f"{API}/crises/{{id}}/board")
            self.call("GET", f"{API}/crises")


class Baseline(Person):
    """GET /healthz through nginx once a second: the same machine's floor in the same run,
    the baseline the figures are divided by."""

    fixed_count = 1
    wait_time = constant_throughput(1)

    @task
    def health(self) -> None:
        self.call("GET", "/healthz")


class CheckInStorm(Person):
    """People answering the broadcast's link, each once; every tenth needs help."""

    fixed_count = int(os.environ.get("LOAD_STORM", "20"))
    wait_time = constant_throughput(float(os.environ.get("LOAD_STORM_RATE", "1")))

    @task
    def answer(self) -> None:
        recipient = _recipients.next()
        if recipient is None:
            return
        need_help = next(_answers) % HELP_EVERY == 0
        body = {"token": links.token_for(recipient), "answer": "need_help" if need_help
                else "safe", "note": "Kami di luar gedung."}  # fmt: skip
        sent = time.time()
        answer = self.call("POST", f"{API}/crises/check-ins", ok=(201,), json=body)
        if answer is not None:
            shared.acknowledged("checkin", answer.json()["id"], answer=body["answer"], sent=sent)
