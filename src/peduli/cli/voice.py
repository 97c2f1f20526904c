"""``peduli voice call``: play a scripted call on the sandbox telephony platform."""

from __future__ import annotations

import json
import urllib.request

import typer

from peduli.core.config import get_settings

app = typer.Typer(help="The voice line's sandbox: play scripted calls.")


@app.command("call")
def call(
    caller: str = typer.Option("+821055501234", "--caller", help="The caller's number (E.164)."),
    keys: str = typer.Option("3,2,1", "--keys", help="Keys pressed at each menu, comma-separated."),
    ending: str = typer.Option("hangup", "--ending", help="hangup, early or drop."),
    officer_answers: bool = typer.Option(True, "--officer-answers/--officer-busy"),
) -> None:
    """Play one call through the sandbox of ``peduli sandbox`` / ``peduli demo`` and print
    what the caller heard and did."""
    settings = get_settings()
    script = {"caller": caller, "keys": [k for k in keys.split(",") if k], "ending": ending,
              "officer_answers": officer_answers}  # fmt: skip
    url = settings.voice_sandbox_url.rstrip("/") + "/calls"
    if not url.startswith(("http://", "https://")):
        raise typer.BadParameter("PEDULI_VOICE_SANDBOX_URL must be an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=json.dumps(script).encode(),
        headers={"Authorization": "Bearer sandbox", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
        played = json.loads(answer.read())
    for language, text in played["said"]:
        typer.echo(f"[{language}] {text}")
    typer.echo(f"pressed {played['pressed']}, dialled {played['dialled']}, ended {played['ended']}")
