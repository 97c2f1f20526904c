"""``peduli voice call``: a scripted call through the sandbox, printed as the caller lived it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli.cli.main import app
from peduli.core.config import get_settings
from peduli.voice.models import VoiceCall
from peduli.voice.sandbox import TelephonySandbox
from tests.voice.conftest import telephony

__all__ = ["telephony"]


def test_a_call_that_hangs_up_early_is_printed_and_left_to_call_back(
    db: Session, telephony: TelephonySandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEDULI_VOICE_SANDBOX_URL", telephony.base_url)
    get_settings.cache_clear()
    arguments = ["voice", "call", "--caller", "+821055501234", "--keys", "3,2", "--ending", "early"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert "[cmn-CN] 发生了什么？" in result.output
    assert "pressed ['3', '2'], dialled [], ended early" in result.output
    assert db.scalars(select(VoiceCall.callback_state)).one() == "due"
