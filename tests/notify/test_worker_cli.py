"""``peduli worker --once`` builds its adapters from settings and delivers the outbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from peduli.cli import worker as worker_cli
from peduli.core.config import get_settings
from peduli.notify import service
from peduli.notify.models import OutboxStatus
from peduli.notify.sandbox import SandboxHandles
from tests.notify.notify_helpers import SessionFactory, outbox, received


@pytest.fixture
def settings_for(sandboxes: SandboxHandles, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the settings at the sandboxes, as an operator would with PEDULI_* variables."""
    monkeypatch.setenv("PEDULI_SMTP_PORT", str(sandboxes.smtp_port))
    monkeypatch.setenv("PEDULI_SMS_GATEWAY_URL", sandboxes.sms_url)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.usefixtures("settings_for")
def test_worker_once_delivers_email_and_sms(session_factory: SessionFactory) -> None:
    with session_factory() as session, session.begin():
        for channel, recipient in (("email", "budi@example.id"), ("sms", "+6281234567890")):
            service.enqueue(
                session,
                channel=channel,
                recipient=recipient,
                subject="Kode",
                body="Kode Anda 555111",
                idempotency_key=f"otp:{channel}",
            )
    app = typer.Typer()
    worker_cli.register(app)
    app.command("noop")(lambda: None)  # a second command keeps "worker" a sub-command

    result = CliRunner().invoke(app, ["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "processed 2 message(s)" in result.output
    assert {row.status for row in outbox(session_factory)} == {OutboxStatus.SENT}
    assert len(received(session_factory, "email")) == len(received(session_factory, "sms")) == 1
