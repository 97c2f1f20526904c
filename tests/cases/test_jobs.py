"""Overdue cases are escalated to the post's supervisors exactly once, whatever the workers do."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.cases import casework, jobs
from peduli.cases.models import Case, CaseEvent, CaseStatus
from peduli.core.db import get_sessionmaker, session_scope, utcnow
from peduli.core.periodic import run_due_tasks
from peduli.jobs import PERIODIC_TASKS
from peduli.notify.models import OutboxMessage
from tests.cases.conftest import KL, SEOUL, make_overdue, open_case, staff_actor, walk
from tests.outbox import opened


def _counts(case: Case, session: Session | None = None) -> tuple[int, int]:
    if session is not None:
        return _count_in(session, case)
    with session_scope() as db:
        return _count_in(db, case)


def _count_in(db: Session, case: Case) -> tuple[int, int]:
    events = db.scalar(
        select(func.count())
        .select_from(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "escalated")
    )
    messages = db.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.subject.contains(case.reference))
    )
    return int(events or 0), int(messages or 0)


def test_an_overdue_case_is_escalated_once_to_its_supervisor(db: Session, officer: Actor) -> None:
    staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor-seoul")
    staff_actor(db, Role.SUPERVISOR, KL, "supervisor-kl")
    late, on_time = open_case(db, officer), open_case(db, officer)
    make_overdue(db, late)
    db.commit()
    assert jobs.escalate_overdue(db, utcnow()) == 1
    db.commit()
    assert jobs.escalate_overdue(db, utcnow()) == 0
    db.commit()
    message = db.scalars(select(OutboxMessage)).one()
    assert opened(message) == "supervisor-seoul@kemlu.example"
    assert late.reference in message.subject and late.reference in message.body
    db.refresh(late)
    db.refresh(on_time)
    assert late.escalated_at is not None and on_time.escalated_at is None
    assert _counts(late, db) == (1, 1)


def test_two_workers_at_once_escalate_each_case_once(clean_engine: Engine) -> None:
    with session_scope() as db:
        officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
        staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
        cases = [open_case(db, officer) for _ in range(30)]
        db.flush()
        db.execute(update(Case).values(sla_due_at=utcnow() - timedelta(minutes=1)))
    barrier = threading.Barrier(2)
    handled: list[int] = []

    def worker() -> None:
        with session_scope() as session:
            barrier.wait()
            handled.append(jobs.escalate_overdue(session, utcnow()))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(handled) == 30
    with session_scope() as db:
        events = db.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "escalated")
        )
        messages = db.scalar(select(func.count()).select_from(OutboxMessage))
    assert (events, messages) == (30, 30)
    assert len(cases) == 30


def test_a_crash_before_commit_leaves_the_case_for_the_next_run(
    db: Session, officer: Actor
) -> None:
    staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
    case = open_case(db, officer)
    make_overdue(db, case)
    db.commit()
    jobs.escalate_overdue(db, utcnow())
    db.rollback()  # the worker died before committing
    assert jobs.escalate_overdue(db, utcnow()) == 1
    db.commit()
    assert _counts(case, db) == (1, 1)


def test_the_worker_runs_the_escalation_task(clean_engine: Engine) -> None:
    assert any(task.name == "escalate-overdue-cases" for task in PERIODIC_TASKS)
    with session_scope() as db:
        officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
        staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
        case = open_case(db, officer)
        db.flush()
        make_overdue(db, case)
    run_due_tasks(get_sessionmaker(), PERIODIC_TASKS, worker_id="w1")
    run_due_tasks(get_sessionmaker(), PERIODIC_TASKS, worker_id="w2")
    assert _counts(case) == (1, 1)


def test_each_supervisor_reads_the_escalation_in_their_own_language(
    db: Session, officer: Actor
) -> None:
    from peduli.auth.models import StaffAccount
    from peduli.core.i18n import in_language

    french = staff_actor(db, Role.SUPERVISOR, SEOUL, "superviseure")
    staff_actor(db, Role.SUPERVISOR, SEOUL, "penyelia")  # picked no language: Indonesian
    db.get_one(StaffAccount, french.account_id).preferred_language = "fr"
    late = open_case(db, officer)
    make_overdue(db, late)
    db.commit()
    jobs.escalate_overdue(db, utcnow())
    db.commit()
    mail = {opened(m): m for m in db.scalars(select(OutboxMessage))}
    french_mail, indonesian_mail = (
        mail["superviseure@kemlu.example"],
        mail["penyelia@kemlu.example"],
    )
    assert french_mail.subject == f"Dossier de protection {late.reference} en retard"
    assert indonesian_mail.subject == f"Kasus pelindungan {late.reference} melewati tenggat"
    body = jobs.BODY.format(
        reference=late.reference, category=late.category, priority=late.priority
    )
    assert french_mail.body == in_language(body, "fr") != str(body)
    assert indonesian_mail.body == in_language(body, "id") != str(body)


def test_a_reopened_case_overdue_again_is_escalated_again_without_a_second_email(
    db: Session, officer: Actor
) -> None:
    staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
    case = open_case(db, officer)
    make_overdue(db, case)
    assert jobs.escalate_overdue(db, utcnow()) == 1
    walk(db, case, officer, "resolved")
    casework.transition(db, case_id=case.id, actor=officer, to=CaseStatus.IN_PROGRESS)
    make_overdue(db, case)

    assert jobs.escalate_overdue(db, utcnow()) == 1
    db.commit()
    # The timeline shows both; the supervisor's email is keyed by case and person, once.
    assert _counts(case, db) == (2, 1)
