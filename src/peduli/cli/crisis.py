"""``peduli crisis demo``: declare a demo earthquake near a city and draft its broadcast."""

from __future__ import annotations

import uuid

import typer

from peduli.auth.actor import SYSTEM, Actor, Role
from peduli.core.db import session_scope
from peduli.core.errors import PeduliError
from peduli.crisis import broadcasts, service
from peduli.crisis.schemas import BroadcastCreate, CrisisCreate

app = typer.Typer(help="Crisis response.", no_args_is_help=True)

# Demo cities with many citizens in the synthetic population (see peduli.demo.places).
CITIES = {
    "kuala-lumpur": ("Kuala Lumpur", 3.139, 101.687),
    "hong-kong": ("Hong Kong", 22.319, 114.169),
    "taipei": ("Taipei", 25.033, 121.565),
    "seoul": ("Seoul", 37.566, 126.978),
    "riyadh": ("Riyadh", 24.713, 46.675),
}
MESSAGES = {
    "id": "Gempa kuat di {city}. Keluar dari gedung, jauhi kaca dan tunggu petunjuk KBRI/KJRI.",
    "en": "Strong earthquake in {city}. Leave buildings, keep away from glass, await advice.",
    "zh": "{city}发生强烈地震。请离开建筑物，远离玻璃，等待使领馆的指示。",
    "fr": "Fort séisme à {city}. Quittez les bâtiments, loin des vitres, attendez les consignes.",
}


@app.callback()
def _crisis() -> None:
    """Crisis response."""


@app.command("demo")
def demo(
    city: str = typer.Option("kuala-lumpur", help=f"One of: {', '.join(CITIES)}."),
    radius_km: float = typer.Option(40.0, help="Radius of the affected area."),
    send: bool = typer.Option(
        False, "--send", help="Also approve (as a second, demo approver) and send it."
    ),
) -> None:
    """Declare an earthquake around a demo city and draft a broadcast in four languages."""
    if city not in CITIES:
        typer.echo(f"error: unknown city {city!r}; use one of: {', '.join(CITIES)}", err=True)
        raise typer.Exit(1)
    name, lat, lon = CITIES[city]
    try:
        with session_scope() as db:
            crisis = service.declare(
                db,
                body=CrisisCreate(
                    title=f"Gempa {name} (demo)", kind="earthquake", severity="severe",
                    area={"circle": {"lat": lat, "lon": lon, "radius_km": radius_km}},
                ),
                actor=SYSTEM,
            )  # fmt: skip
            audience = service.count_audience(db, crisis)
            body = BroadcastCreate(
                messages={k: v.format(city=name) for k, v in MESSAGES.items()},
                channels=["sms", "email"],
                remind_after_minutes=30,
            )
            broadcast = broadcasts.draft(db, crisis_id=crisis.id, body=body, actor=SYSTEM)
            queued: dict[str, int] = {}
            if send:
                approver = Actor(
                    role=Role.HQ_ADMIN, account_id=uuid.uuid4(), display="demo approver",
                    via="system",
                )  # fmt: skip
                broadcasts.approve(
                    db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=approver
                )
                _sent, written = broadcasts.send(
                    db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=SYSTEM
                )
                queued = written or {}
            crisis_id, broadcast_id = crisis.id, broadcast.id
    except PeduliError as error:
        typer.echo(f"error: {error.detail}", err=True)
        raise typer.Exit(1) from error
    typer.echo(
        f"crisis {crisis_id}: {audience.total} active stays in the area"
        f" ({audience.approximate} placed only by their city)"
    )
    typer.echo(f"  by representation: {audience.by_representation}")
    typer.echo(f"  board: /officer/crises/{crisis_id}")
    if send:
        typer.echo(f"broadcast {broadcast_id} sent: {queued}; see /demo/mailbox?channel=sms")
    else:
        typer.echo(
            f"broadcast {broadcast_id} drafted; a second HQ admin approves and sends it:\n"
            f"  POST /api/v1/crises/{crisis_id}/broadcasts/{broadcast_id}/approve\n"
            f"  POST /api/v1/crises/{crisis_id}/broadcasts/{broadcast_id}/send"
        )
