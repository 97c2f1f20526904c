"""Deadline reminders: one per due delegation or referral, never two, even with two
workers running at the same moment."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases.models import Case
from peduli.core.db import get_sessionmaker, utcnow
from peduli.notify.models import OutboxMessage
from peduli.partners import jobs, referrals
from peduli.partners.models import Delegation, Referral
from peduli.partners.schemas import ReferralCreate
from tests.outbox import opened
from tests.partners.conftest import Scene, open_case


def _reminders(db: Session) -> list[OutboxMessage]:
    return list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("partners.%-reminder:%"))
            .order_by(OutboxMessage.idempotency_key)
        )
    )


def _due_in(db: Session, model: type[Delegation] | type[Referral], delta: timedelta) -> None:
    db.execute(update(model).values(due_at=utcnow() + delta))
    db.commit()


def test_a_delegation_due_within_a_day_is_reminded_once(db: Session, scene: Scene) -> None:
    _due_in(db, Delegation, timedelta(hours=30))
    assert jobs.send_reminders(db, utcnow()) == 0
    _due_in(db, Delegation, timedelta(hours=3))
    assert jobs.send_reminders(db, utcnow()) == 1
    db.commit()
    assert jobs.send_reminders(db, utcnow() + timedelta(days=2)) == 0
    db.commit()
    [message] = _reminders(db)
    assert opened(message) == "mitra.ansan@example.org" and message.channel == "email"
    assert scene.case.reference in message.body and "{reference}" not in message.body
    # The partner lists Indonesian first: the reminder is in Indonesian alone.
    assert message.subject == "Peduli: kasus yang didelegasikan segera jatuh tempo"
    assert message.body.startswith(f"Pengingat Peduli: tugas untuk kasus {scene.case.reference}")


def test_closed_delegations_are_not_reminded(db: Session, scene: Scene) -> None:
    db.execute(update(Delegation).values(status="done", due_at=utcnow() - timedelta(hours=1)))
    db.commit()
    assert jobs.send_reminders(db, utcnow()) == 0
    assert _reminders(db) == []


def test_a_partner_without_email_is_reminded_by_sms(db: Session, scene: Scene) -> None:
    from peduli.partners.models import Partner

    db.execute(update(Partner).values(contact_email=None))
    _due_in(db, Delegation, -timedelta(hours=1))
    jobs.send_reminders(db, utcnow())
    db.commit()
    [message] = _reminders(db)
    assert (message.channel, opened(message)) == ("sms", "+821012345678")


def _referral_reminder(db: Session, officer: Actor) -> tuple[Case, OutboxMessage]:
    """A referral by ``officer`` falling due, and the one reminder it gets."""
    case = open_case(db, officer)
    body = ReferralCreate.model_validate(
        {"agency_kind": "bp2mi", "agency_name": "BP2MI", "purpose": "Placement record check.",
         "consent": True}
    )  # fmt: skip
    referrals.create_referral(db, case_id=case.id, data=body, actor=officer)
    db.commit()
    _due_in(db, Referral, timedelta(hours=1))
    assert jobs.send_reminders(db, utcnow()) == 1
    db.commit()
    [message] = _reminders(db)
    return case, message


def test_an_open_referral_reminds_the_officer_who_made_it(db: Session, officer: Actor) -> None:
    case, message = _referral_reminder(db, officer)
    assert opened(message) == "officer-seoul@kemlu.example"
    assert case.reference in message.body
    assert message.body.startswith(f"Pengingat Peduli: rujukan kasus {case.reference}")


@pytest.mark.parametrize(
    ("languages", "subject"),
    [
        (["fr", "id"], "Peduli : un dossier délégué arrive à échéance"),
        (["zh"], "Peduli：委托案件即将到期"),
        (
            ["ko", "en"],
            "Peduli: kasus yang didelegasikan segera jatuh tempo",
        ),  # Korean first: Indonesian
        ([], "Peduli: kasus yang didelegasikan segera jatuh tempo"),
    ],
)
def test_a_delegation_reminder_is_in_the_partners_first_language(
    db: Session, scene: Scene, languages: list[str], subject: str
) -> None:
    from peduli.partners.models import Partner

    db.execute(update(Partner).values(languages=languages))
    _due_in(db, Delegation, timedelta(hours=2))
    jobs.send_reminders(db, utcnow())
    db.commit()
    [message] = _reminders(db)
    assert message.subject == subject
    assert scene.case.reference in message.body and "{reference}" not in message.body


def test_a_referral_reminder_is_in_the_officers_language(db: Session, officer: Actor) -> None:
    from peduli.auth.models import StaffAccount

    db.get_one(StaffAccount, officer.account_id).preferred_language = "en"
    case, message = _referral_reminder(db, officer)
    assert message.subject == "Peduli: a referral is due"
    assert message.body == (
        f"Peduli reminder: the referral of case {case.reference} to an agency is not done and "
        "is due within 24 hours or overdue. Ask the agency and record its answer."
    )


def test_two_workers_at_once_send_each_reminder_exactly_once(db: Session, scene: Scene) -> None:
    case = open_case(db, scene.officer, summary="A second case to refer.")
    for index in range(3):
        referrals.create_referral(
            db,
            case_id=case.id,
            data=ReferralCreate.model_validate(
                {
                    "agency_kind": "police",
                    "agency_name": f"Station {index}",
                    "purpose": "Report the employer.",
                    "consent": True,
                }
            ),
            actor=scene.officer,
        )
    db.commit()
    _due_in(db, Delegation, -timedelta(minutes=5))
    _due_in(db, Referral, timedelta(minutes=5))
    barrier = threading.Barrier(2)
    handled: list[int] = []
    errors: list[BaseException] = []

    def worker(moment: datetime) -> None:
        try:
            with get_sessionmaker()() as session, session.begin():
                barrier.wait(timeout=10)
                handled.append(jobs.send_reminders(session, moment))
        except BaseException as error:
            errors.append(error)

    now = utcnow()
    threads = [
        threading.Thread(target=worker, args=(now + timedelta(microseconds=i),)) for i in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(handled) == [0, 4]
    count = db.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.idempotency_key.like("partners.%-reminder:%"))
    )
    assert count == 4
    assert db.scalar(select(func.count()).select_from(Referral).where(
        Referral.reminded_at.is_(None))) == 0  # fmt: skip
