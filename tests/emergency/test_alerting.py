"""Unacknowledged emergencies escalate step by step, each step exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.cases.models import CaseEvent
from peduli.core.db import get_sessionmaker, session_scope
from peduli.core.periodic import run_due_tasks
from peduli.emergency import alerting, service, workflow
from peduli.emergency.models import Emergency
from peduli.emergency.schemas import EmergencyCreate
from peduli.jobs import PERIODIC_TASKS
from peduli.notify.models import OutboxMessage
from peduli.notify.service import open_body
from tests.emergency.conftest import SEOUL, on_duty_now, sos, staff_actor
from tests.outbox import opened, recipients

MINUTES = timedelta(minutes=1)


def _team(db: Session) -> tuple[Actor, Actor, Actor]:
    primary = staff_actor(db, Role.OFFICER, SEOUL, "primary")
    backup = staff_actor(db, Role.OFFICER, SEOUL, "backup")
    supervisor = staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
    on_duty_now(db, primary, rank=0)
    on_duty_now(db, backup, rank=1)
    return primary, backup, supervisor


def _sos(db: Session, phone: str = "+821012345678") -> Emergency:
    data = EmergencyCreate.model_validate(sos(phone=phone))
    return service.report_emergency(db, data=data, actor=None, ip=phone).emergency


def _recipients(db: Session) -> list[str]:
    return sorted(recipients(db))


def _run(db: Session, at: datetime) -> int:
    handled = alerting.escalate_unacknowledged(db, at)
    db.commit()
    return handled


def test_escalation_steps_run_once_each_as_time_passes(db: Session) -> None:
    _team(db)
    emergency = _sos(db)
    db.commit()
    start = emergency.created_at
    assert _recipients(db) == ["primary@kemlu.example"]
    assert _run(db, start + 9 * MINUTES) == 0
    assert _run(db, start + 10 * MINUTES) == 1
    assert _run(db, start + 10 * MINUTES) == 0, "the same moment again: nothing new"
    assert _recipients(db) == [
        "backup@kemlu.example", "primary@kemlu.example", "supervisor@kemlu.example",
    ]  # fmt: skip
    assert _run(db, start + 15 * MINUTES) == 0
    assert _run(db, start + 21 * MINUTES) == 1
    assert _run(db, start + 40 * MINUTES) == 1
    assert _run(db, start + 120 * MINUTES) == 0, "after the last step only HQ's list remains"
    db.refresh(emergency)
    assert (emergency.escalation_level, emergency.ack_due_at) == (workflow.MAX_LEVEL, None)
    assert _recipients(db).count("supervisor@kemlu.example") == workflow.MAX_LEVEL
    events = db.scalar(
        select(func.count()).select_from(CaseEvent).where(
            CaseEvent.case_id == emergency.case_id, CaseEvent.kind == "escalated"
        )
    )  # fmt: skip
    assert events == workflow.MAX_LEVEL


def test_acknowledging_stops_the_escalation(db: Session) -> None:
    primary, _backup, _supervisor = _team(db)
    emergency = _sos(db)
    db.commit()
    acknowledged = service.acknowledge(db, emergency_id=emergency.id, actor=primary)
    db.commit()
    assert workflow.state_of(acknowledged) == "acknowledged"
    assert _run(db, emergency.created_at + 60 * MINUTES) == 0
    assert _recipients(db) == ["primary@kemlu.example"]
    again = service.acknowledge(db, emergency_id=emergency.id, actor=primary)
    assert again.acknowledged_by_account_id == primary.account_id


def test_the_ack_window_is_a_setting(db: Session, monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    from peduli.core.config import get_settings

    monkeypatch.setenv("PEDULI_EMERGENCY_ACK_MINUTES", "3")
    get_settings.cache_clear()
    try:
        _team(db)
        emergency = _sos(db)
        db.commit()
        assert _run(db, emergency.created_at + 3 * MINUTES) == 1
    finally:
        monkeypatch.delenv("PEDULI_EMERGENCY_ACK_MINUTES")
        get_settings.cache_clear()


def test_two_workers_at_once_take_each_step_once(clean_engine: Engine) -> None:
    with session_scope() as db:
        _team(db)
        emergencies = [_sos(db, phone=f"+8210123456{n:02d}") for n in range(20)]
    later = max(e.created_at for e in emergencies) + 11 * MINUTES
    barrier = threading.Barrier(2)
    handled: list[int] = []

    def worker() -> None:
        with session_scope() as session:
            barrier.wait()
            handled.append(alerting.escalate_unacknowledged(session, later))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(handled) == 20
    with session_scope() as db:
        levels = set(db.scalars(select(Emergency.escalation_level)))
        per_recipient = dict(Counter(recipients(db)))
    assert levels == {1}
    assert per_recipient == {
        "primary@kemlu.example": 20, "backup@kemlu.example": 20, "supervisor@kemlu.example": 20,
    }  # fmt: skip


def test_a_crash_before_commit_leaves_the_step_for_the_next_run(db: Session) -> None:
    _team(db)
    emergency = _sos(db)
    db.commit()
    at = emergency.created_at + 11 * MINUTES
    assert alerting.escalate_unacknowledged(db, at) == 1
    db.rollback()  # the worker died before committing
    assert _run(db, at) == 1
    assert _recipients(db).count("backup@kemlu.example") == 1


def test_the_worker_runs_the_task_across_restarts(clean_engine: Engine) -> None:
    assert any(t.name == "escalate-unacknowledged-emergencies" for t in PERIODIC_TASKS)
    with session_scope() as db:
        _team(db)
        emergency = _sos(db)
    at = emergency.created_at + 11 * MINUTES
    # Two workers (or one restarted) at the same moment: the step runs once.
    run_due_tasks(get_sessionmaker(), PERIODIC_TASKS, worker_id="w1", now=at)
    run_due_tasks(get_sessionmaker(), PERIODIC_TASKS, worker_id="w2", now=at)
    run_due_tasks(get_sessionmaker(), PERIODIC_TASKS, worker_id="w1", now=at + MINUTES)
    with session_scope() as db:
        assert db.get_one(Emergency, emergency.id).escalation_level == 1
        assert _recipients(db).count("backup@kemlu.example") == 1


def _speaks(db: Session, actor: Actor, language: str) -> None:
    """The staff member picked ``language`` (as signing in with it picked does)."""
    from peduli.auth.models import StaffAccount

    db.get_one(StaffAccount, actor.account_id).preferred_language = language
    db.flush()


def test_each_alert_is_in_its_readers_language(db: Session) -> None:
    """Step 0 to the primary (email and duty-phone SMS), step 1 to the backup and the
    supervisor: each in their own language, Indonesian when they picked none."""
    primary = staff_actor(db, Role.OFFICER, SEOUL, "primary")
    backup = staff_actor(db, Role.OFFICER, SEOUL, "backup")
    staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
    on_duty_now(db, primary, rank=0, phone="+821099990000")
    on_duty_now(db, backup, rank=1)
    _speaks(db, primary, "zh")
    _speaks(db, backup, "fr")
    emergency = _sos(db)
    db.commit()
    reference = emergency.case_reference

    def messages() -> dict[str, OutboxMessage]:
        return {opened(m): m for m in db.scalars(select(OutboxMessage))}

    first = messages()
    assert first["primary@kemlu.example"].subject == f"紧急 {reference}：公民身处危险，请立即确认"
    mail, sms = first["primary@kemlu.example"].body, first["+821099990000"].body
    assert "Siti Aminah" not in mail + sms  # the texts name the caller: sealed at rest
    mail, sms = open_body(mail), open_body(sms)
    for text in (mail, sms):
        # The kind and the post by name, the caller's name, phone and place, in Chinese.
        for said in ("暴力或威胁", "KBRI Seoul", "Siti Aminah", "+821012345678", "Ansan", "韩国"):
            assert said in text, (said, text)
        assert "violence" not in text and SEOUL not in text and "{" not in text
    assert "紧急事件" in mail and f"/officer/emergencies/{emergency.id}" in mail

    _run(db, emergency.created_at + 10 * MINUTES)
    later = messages()
    backup_mail, supervisor_mail = later["backup@kemlu.example"], later["supervisor@kemlu.example"]
    assert backup_mail.subject == (
        f"URGENCE {reference} : un ressortissant en danger, prenez-la en charge"
    )
    assert supervisor_mail.subject == f"DARURAT {reference}: WNI dalam bahaya, segera terima"
    assert "violences ou menaces" in open_body(backup_mail.body) and "(étape 1)" in open_body(
        backup_mail.body
    )
    assert "Corée du Sud" in open_body(backup_mail.body)
    assert "kekerasan atau ancaman" in open_body(supervisor_mail.body) and "(tahap 1)" in open_body(
        supervisor_mail.body
    )
    assert "Korea Selatan" in open_body(supervisor_mail.body)
