"""``peduli staff`` and ``peduli token`` as an operator or a script runs them (no TTY)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli.auth import passwords
from peduli.auth import service as auth_service
from peduli.auth.accounts import get_staff
from peduli.auth.audit import AuditEntry
from peduli.cli.staff import staff_app, token_app
from peduli.core.config import get_settings

runner = CliRunner()


def _create(*args: str, stdin: str = "") -> tuple[int, str, str]:
    result = runner.invoke(staff_app, ["create", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_create_prints_the_generated_password_and_the_totp_uri(db: Session) -> None:
    code, out, _err = _create(
        "--email", "officer@example.org", "--role", "officer", "--representation", "kbri-seoul"
    )
    assert code == 0, out
    password = re.search(r"^password: (\S+)$", out, re.M)
    assert password, out
    assert re.search(r"^totp: otpauth://totp/Peduli:officer%40example.org\?secret=", out, re.M)
    account = get_staff(db, email="officer@example.org")
    assert passwords.verify(account.password_hash, password.group(1))
    assert account.preferred_language == "id"  # alerts in Indonesian unless said


def test_create_with_the_language_of_alerts(db: Session) -> None:
    code, out, _err = _create(
        "--email", "sup@example.org", "--role", "supervisor", "--representation", "kbri-seoul",
        "--language", "zh",
    )  # fmt: skip
    assert code == 0, out
    assert get_staff(db, email="sup@example.org").preferred_language == "zh"
    code, _out, err = _create(
        "--email", "x@example.org", "--role", "hq_admin", "--language", "ko"
    )  # fmt: skip
    assert code == 1 and "language" in err and "id, en, zh, fr" in err


def test_language_changes_the_language_of_an_existing_accounts_alerts(db: Session) -> None:
    assert _create("--email", "o@example.org", "--role", "hq_analyst")[0] == 0
    result = runner.invoke(staff_app, ["language", "--email", "O@example.org", "--language", "en"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    assert get_staff(db, email="o@example.org").preferred_language == "en"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "auth.account_language"))
    assert entry is not None and json.loads(entry.fields) == ["preferred_language"]
    db.rollback()  # end the test's read, so the command below gets SQLite's writer turn
    wrong = runner.invoke(staff_app, ["language", "--email", "o@example.org", "--language", "ko"])
    assert wrong.exit_code == 1 and "id, en, zh, fr" in wrong.stderr
    unknown = runner.invoke(
        staff_app, ["language", "--email", "no@example.org", "--language", "en"]
    )
    assert unknown.exit_code == 1 and "No staff account has this email" in unknown.stderr


def test_create_reads_the_password_from_stdin_without_prompting(db: Session) -> None:
    code, out, _err = _create(
        "--email", "hq@example.org", "--role", "hq_admin", "--name", "Dewi", "--password-stdin",
        stdin="a long enough passphrase\n",
    )  # fmt: skip
    assert code == 0, out
    assert "password:" not in out
    account = get_staff(db, email="hq@example.org")
    assert account.display_name == "Dewi"
    assert passwords.verify(account.password_hash, "a long enough passphrase")


def test_create_never_waits_for_input_and_explains_errors(db: Session) -> None:
    code, _out, err = _create("--email", "x@example.org", "--role", "officer")  # no stdin
    assert code == 1
    assert "representation_code" in err and "kbri-seoul" in err
    code, _out, err = _create(
        "--email", "y@example.org", "--role", "hq_admin", "--password-stdin", "--name", "Y"
    )
    assert code == 1
    assert "password" in err and "12" in err


def test_token_create_prints_only_the_token(db: Session) -> None:
    _create("--email", "bp2mi@example.org", "--role", "agency")
    result = runner.invoke(
        token_app,
        ["create", "--email", "bp2mi@example.org", "--scope", "registry:read", "--days", "7"],
    )
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(r"pdl_[A-Za-z0-9_-]{43}\n", result.stdout)
    actor = auth_service.resolve_actor(
        db,
        bearer_token=result.stdout.strip(),
        session_token=None,
        ip="192.0.2.1",
        method="GET",
        csrf_token=None,
    )
    assert actor is not None and actor.scopes == frozenset({"registry:read"})


def test_token_create_for_an_unknown_account_fails_on_stderr(db: Session) -> None:
    result = runner.invoke(token_app, ["create", "--email", "nobody@example.org"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "No staff account" in result.stderr


def test_disable_and_totp_code(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    _create("--email", "s@example.org", "--role", "supervisor", "--representation", "kbri-seoul")
    shown = runner.invoke(staff_app, ["totp-code", "--email", "s@example.org"])
    assert shown.exit_code == 0
    assert re.fullmatch(r"\d{6}\n", shown.stdout)
    monkeypatch.setattr(settings, "environment", "production")
    refused = runner.invoke(staff_app, ["totp-code", "--email", "s@example.org"])
    assert refused.exit_code == 1
    assert "production" not in refused.stdout and refused.stdout == ""
    disabled = runner.invoke(staff_app, ["disable", "--email", "s@example.org"])
    assert disabled.exit_code == 0
    assert get_staff(db, email="s@example.org").disabled_at is not None
