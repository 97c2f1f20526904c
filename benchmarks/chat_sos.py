"""A chat "TOLONG" reaches the duty officer's phone: seconds from the webhook to the SMS.

    python -m benchmarks.chat_sos --db sqlite|postgres [--per-second 100] [--seconds 30]
        [--sos-every 10]

Puts an officer with a duty phone on duty at three Malaysian posts, then starts the real
processes (``peduli serve``, ``peduli sandbox``, one ``peduli worker``) and posts signed
WhatsApp Cloud API webhooks at ``--per-second`` a second for ``--seconds`` seconds, open
loop, each from a phone of its own: every ``--sos-every``-th says "TOLONG …", the others an
ordinary question. Every 7.5 s an SOS from the SOS page's API goes out too: the baseline,
the path an SOS has always taken to the same officer's phone in the same run.

Measured: for each chat SOS, the time from posting the webhook to the moment the sandbox
gateway stored the duty officer's SMS for its emergency (step 0). Target: p95 ≤ 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC

import httpx
from sqlalchemy import select

from benchmarks import _common
from benchmarks.crisis_help_alert import (
    _seconds,
    _wait_for_alerts,
    duty_rosters,
)

DATABASE = "peduli_chat_sos"
TARGET_SECONDS = 5.0
SOS_EVERY_SECONDS = 7.5


@dataclass
class Sent:
    at: float  # time.time() when the request went out
    kind: str  # chat_sos | chat | sos
    phone: str
    status: int = 0
    seconds: float = 0.0  # the request's round trip
    emergency_id: str | None = None  # the SOS page's answer (chats: found afterwards)


def _webhook(phone: str, text: str, number: int) -> tuple[bytes, dict[str, str]]:
    """A signed Cloud API webhook, as the sandbox's citizen sends it."""
    from peduli.conversations.platforms import whatsapp_signature
    from peduli.core.config import get_settings
    from peduli.notify.sandbox.whatsapp_gateway import inbound_webhook

    payload = inbound_webhook("100000000001", phone.lstrip("+"), {"type": "text",
                              "text": {"body": text}})  # fmt: skip
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = f"wamid.bench{number}"
    body = json.dumps(payload).encode()
    signature = whatsapp_signature(body, get_settings().whatsapp_app_secret)
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": signature}


async def _burst(base: str, args: argparse.Namespace) -> list[Sent]:
    """Open loop: message i leaves at start + i / rate, whatever the earlier ones took."""
    interval = 1.0 / args.per_second
    count = int(args.seconds * args.per_second)
    sos_every = max(1, round(SOS_EVERY_SECONDS / interval))
    results: list[Sent] = []

    async def chat(client: httpx.AsyncClient, i: int) -> None:
        kind = "chat_sos" if i % args.sos_every == 0 else "chat"
        text = (
            "TOLONG, majikan mengunci saya"
            if kind == "chat_sos"
            else "Bagaimana cara perpanjang paspor?"
        )
        phone = f"+6012{i:07d}"
        body, headers = _webhook(phone, text, i)
        sent = Sent(at=time.time(), kind=kind, phone=phone)
        started = time.perf_counter()
        webhook = f"{base}/api/v1/channels/whatsapp/webhook"
        try:
            answer = await client.post(webhook, content=body, headers=headers)
        except httpx.HTTPError:  # a connection the overloaded server dropped: a failure
            answer = httpx.Response(0)
        sent.seconds, sent.status = time.perf_counter() - started, answer.status_code
        results.append(sent)

    async def sos(client: httpx.AsyncClient, i: int) -> None:
        phone = f"+60133{i:06d}"
        body = {"name": f"Pekerja {i}", "country": "MY", "city": "Kuala Lumpur",
                "kind": "violence", "details": "Dikunci.", "phone": phone}  # fmt: skip
        sent = Sent(at=time.time(), kind="sos", phone=phone)
        started = time.perf_counter()
        answer = await client.post(f"{base}/api/v1/emergencies", json=body)
        sent.seconds, sent.status = time.perf_counter() - started, answer.status_code
        sent.emergency_id = answer.json().get("id") if answer.status_code == 201 else None
        results.append(sent)

    async def one(client: httpx.AsyncClient, i: int) -> None:
        baseline = [sos(client, i)] if i % sos_every == sos_every // 2 else []
        await asyncio.gather(chat(client, i), *baseline)

    await _common.open_loop(count, interval, one)
    return results


def _alert_times(results: list[Sent], duty_phones: dict[str, str]) -> dict[str, list[float]]:
    """Seconds from each chat SOS (and SOS) to its duty officer's SMS at the gateway."""
    from peduli.conversations.models import Conversation
    from peduli.core.crypto import contact_index
    from peduli.core.db import session_scope
    from peduli.notify.models import SandboxMessage

    with session_scope() as db:
        emergency_of = {
            index: str(emergency)
            for index, emergency in db.execute(
                select(Conversation.address_index, Conversation.emergency_id).where(
                    Conversation.emergency_id.is_not(None)
                )
            )
        }
        received = {
            key.split(":")[1].replace("-", ""): at
            for key, at in db.execute(
                select(SandboxMessage.idempotency_key, SandboxMessage.received_at).where(
                    SandboxMessage.channel == "sms",
                    SandboxMessage.idempotency_key.like("emergency:%:step:0:%:sms"),
                    SandboxMessage.recipient.in_(list(duty_phones.values())),
                )
            )
        }
    latencies: dict[str, list[float]] = {"chat_sos": [], "sos": []}
    missing = 0
    for sent in results:
        if sent.kind not in latencies or sent.status not in (200, 201):
            continue
        emergency = sent.emergency_id or emergency_of.get(contact_index(sent.phone))
        at = received.get(str(emergency).replace("-", "")) if emergency else None
        if at is None:
            missing += 1
            continue
        latencies[sent.kind].append(at.replace(tzinfo=at.tzinfo or UTC).timestamp() - sent.at)
    if missing:
        print(f"  {missing} SOS have no duty SMS at the gateway")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--per-second", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--sos-every", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    url = _common.recreate_postgres(DATABASE) if args.db == "postgres" else _common.sqlite_url()
    _common.use_database(url)
    print(f"machine: {_common.machine()}; database: {args.db}")
    duty_phones = duty_rosters()
    with _common.sandbox_and_worker(url):
        with _common.server(url, workers=args.workers, start_seconds=300) as base:
            results = asyncio.run(_burst(base, args))
        alerts = sum(1 for r in results if r.kind in ("chat_sos", "sos") and r.status in (200, 201))
        _wait_for_alerts(alerts, duty_phones)
    _report(results, _alert_times(results, duty_phones), args)


def _report(
    results: list[Sent], latencies: dict[str, list[float]], args: argparse.Namespace
) -> None:
    chats = [r for r in results if r.kind != "sos"]
    failed = [r for r in results if r.status not in (200, 201)]
    elapsed = max(r.at for r in chats) - min(r.at for r in chats) if chats else 0.0
    print(
        f"burst: {len(chats)} webhooks at {args.per_second}/s planned "
        f"({len(chats) / max(elapsed, 1e-9):.0f}/s sent), every {args.sos_every}th 'TOLONG'; "
        f"{len(failed)} failed requests"
    )
    print(f"  webhook round trip: {_common.summary_ms([r.seconds for r in chats])}")
    chat_times, sos_times = latencies["chat_sos"], latencies["sos"]
    if not chat_times:
        print("  no chat SOS reached the gateway")
        return
    p95 = _common.percentile(chat_times, 95)
    print(f"chat 'TOLONG' → duty officer's SMS ({len(chat_times)} chats): " + _seconds(chat_times))
    if sos_times:
        print(
            f"SOS page → the same officer's SMS, same run ({len(sos_times)}): "
            + _seconds(sos_times)
        )
        ratio = _common.percentile(chat_times, 50) / _common.percentile(sos_times, 50)
        print(f"ratio p50 chat/SOS: {ratio:.2f}")
    print(
        f"p95 {p95:.2f} s against the target {TARGET_SECONDS:.0f} s: "
        f"{p95 / TARGET_SECONDS:.0%} of it"
    )


if __name__ == "__main__":
    main()
