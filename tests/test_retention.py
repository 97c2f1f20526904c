"""The retention job: each class of data purged past its period, fresh data kept, in
batches, from the worker and from ``peduli retention run``, on an explicit clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli import retention
from peduli.auth import sessions
from peduli.auth.models import AuthSession, CitizenAccount, CitizenCode
from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker, session_scope
from peduli.core.periodic import run_due_tasks
from peduli.jobs import PERIODIC_TASKS
from peduli.notify import service as notify
from peduli.notify.models import OutboxMessage, OutboxStatus, SandboxMessage
from peduli.registry import service
from peduli.registry.models import Stay, StayStatus
from tests import factories
from tests.outbox import opened

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _count(db: Session, model: type[object], *conditions: object) -> int:
    return int(db.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)  # type: ignore[arg-type]


def _departed_stay(db: Session, serial: int, departed_days_ago: int | None) -> Stay:
    outcome = service.submit_self_report(
        db,
        report=factories.report(
            nik=factories.nik(serial=serial), passport_number=f"C{serial:07d}",
            email=f"p{serial}@example.org", phone=None,
        ),
        actor=factories.staff(),
    )  # fmt: skip
    stay = db.scalars(select(Stay).where(Stay.person_id == outcome.person.id)).one()
    if departed_days_ago is not None:
        stay.status = StayStatus.DEPARTED
        stay.departed_on = (NOW - departed_days_ago * DAY).date()
    db.flush()
    return stay


def test_departed_stays_lose_their_personal_details_after_the_period(db: Session) -> None:
    old = _departed_stay(db, 1, 400)
    recent = _departed_stay(db, 2, 30)
    active = _departed_stay(db, 3, None)
    db.commit()
    counts = retention.run_until_done(get_sessionmaker(), now=NOW)
    assert counts["departed_stays"] == 1
    db.expire_all()
    assert (old.address, old.latitude, old.employer, old.h3_cell) == (None, None, None, None)
    assert (old.country, old.city, old.purpose, old.sector) == (
        "KR",
        "Seoul",
        "work",
        "manufacturing",
    )
    assert old.departed_on is not None and old.representation_code == "kbri-seoul"
    for kept in (recent, active):
        assert kept.address == "12 Sejong-daero, Jung-gu" and kept.employer == "Hanil Metal"
    db.rollback()  # let go of the database before the next run
    assert retention.run_until_done(get_sessionmaker(), now=NOW)["departed_stays"] == 0


def _message(db: Session, key: str, status: OutboxStatus, finished_days_ago: int) -> None:
    notify.enqueue(
        db, channel="email", recipient=f"{key}@example.org", subject="Kode", body="Kode 123456",
        idempotency_key=key,
    )  # fmt: skip
    at = NOW - finished_days_ago * DAY
    db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.idempotency_key == key)
        .values(
            status=status,
            sent_at=at if status == OutboxStatus.SENT else None,
            next_attempt_at=at,
        )
    )


def test_finished_messages_lose_recipient_and_body_after_the_period(db: Session) -> None:
    _message(db, "sent-old", OutboxStatus.SENT, 31)
    _message(db, "dead-old", OutboxStatus.DEAD, 40)
    _message(db, "sent-new", OutboxStatus.SENT, 2)
    _message(db, "pending-old", OutboxStatus.PENDING, 90)
    db.commit()
    counts = retention.run_until_done(get_sessionmaker(), now=NOW)
    assert counts["outbox_messages"] == 2
    rows = {m.idempotency_key: m for m in db.scalars(select(OutboxMessage))}
    for key in ("sent-old", "dead-old"):
        assert (rows[key].recipient, rows[key].subject, rows[key].body) == ("", "", "")
    for key in ("sent-new", "pending-old"):
        assert opened(rows[key]) == f"{key}@example.org" and rows[key].body == "Kode 123456"


def test_ended_sessions_and_spent_codes_go_after_their_periods(db: Session) -> None:
    account = CitizenAccount(kind="email", address_index="x" * 64, address_encrypted="x")
    db.add(account)
    db.flush()
    rows = {name: sessions.start(db, citizen_account_id=account.id).row for name in "abcd"}
    rows["a"].expires_at = NOW - 8 * DAY  # expired long ago
    rows["b"].expires_at, rows["b"].revoked_at = NOW + DAY, NOW - 8 * DAY  # revoked long ago
    rows["c"].expires_at = NOW - DAY  # expired yesterday: kept a week
    rows["d"].expires_at = NOW + DAY  # alive
    for name, days in (("old", 2), ("new", 0)):
        db.add(
            CitizenCode(
                address_index=name,
                code_hash=name,
                expires_at=NOW - days * DAY - timedelta(minutes=1),
            )
        )
    db.commit()
    counts = retention.run_until_done(get_sessionmaker(), now=NOW)
    assert (counts["sessions"], counts["one_time_codes"]) == (2, 1)
    assert {r.id for r in db.scalars(select(AuthSession))} == {rows["c"].id, rows["d"].id}
    assert db.scalars(select(CitizenCode.address_index)).all() == ["new"]


def test_sandbox_mail_goes_after_its_period(db: Session) -> None:
    for key, days in (("old", 8), ("new", 1)):
        db.add(SandboxMessage(
            channel="email", recipient="a@example.org", subject="s", body="b",
            idempotency_key=key, received_at=NOW - days * DAY,
        ))  # fmt: skip
    db.commit()
    assert retention.run_until_done(get_sessionmaker(), now=NOW)["sandbox_mail"] == 1
    assert db.scalars(select(SandboxMessage.idempotency_key)).all() == ["new"]


def test_purges_run_in_batches_until_done(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "retention_batch_size", 2)
    for number in range(5):
        _message(db, f"m{number}", OutboxStatus.SENT, 60)
    db.commit()
    with session_scope() as session:
        assert retention.purge_round(session, now=NOW)["outbox_messages"] == 2
    assert retention.run_until_done(get_sessionmaker(), now=NOW)["outbox_messages"] == 3
    assert _count(db, OutboxMessage, OutboxMessage.body != "") == 0


def test_periods_are_settings(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    _message(db, "sent", OutboxStatus.SENT, 10)
    db.commit()
    assert retention.run_until_done(get_sessionmaker(), now=NOW)["outbox_messages"] == 0
    monkeypatch.setattr(get_settings(), "retention_outbox_days", 7)
    assert retention.run_until_done(get_sessionmaker(), now=NOW)["outbox_messages"] == 1


def test_the_worker_runs_it_as_a_periodic_task(clean_engine: Engine) -> None:
    with session_scope() as db:
        _message(db, "sent", OutboxStatus.SENT, 60)
        db.add(SandboxMessage(
            channel="sms", recipient="+6281", subject="", body="b", idempotency_key="k",
            received_at=NOW - 30 * DAY,
        ))  # fmt: skip
    task = [t for t in PERIODIC_TASKS if t.name == "purge-past-retention"]
    assert run_due_tasks(get_sessionmaker(), task, worker_id="w1", now=NOW) == 2


def test_the_cli_prints_the_counts(clean_engine: Engine) -> None:
    from peduli.cli.main import app

    with session_scope() as db:
        _message(db, "sent", OutboxStatus.SENT, 60)
    result = CliRunner().invoke(app, ["retention", "run", "--now", "2026-06-01T12:00:00"])
    assert result.exit_code == 0, result.output
    assert "outbox_messages: 1" in result.output and "departed_stays: 0" in result.output
    assert "total: 1" in result.output


def test_lapor_diri_drafts_go_after_a_week_untouched(db: Session) -> None:
    from peduli.registry.models import LaporDraft

    for account, days in ((uuid.uuid4(), 8), (uuid.uuid4(), 1)):
        db.add(LaporDraft(account_id=account, fields_encrypted="{}", updated_at=NOW - days * DAY))
    db.commit()
    assert retention.run_until_done(get_sessionmaker(), now=NOW)["lapor_drafts"] == 1
    assert len(db.scalars(select(LaporDraft.id)).all()) == 1
