"""No SOS goes nowhere: a post without a roster alerts its supervisors, then the HQ duty
desk; a post with neither alerts the HQ desk at once; an empty HQ desk means every HQ admin."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.models import StaffAccount
from peduli.core.db import utcnow
from peduli.core.errors import NotFound, ValidationFailed
from peduli.demo.staff import ensure_demo_staff
from peduli.emergency import alerting, roster, service
from peduli.emergency.models import DutyShift, Emergency
from peduli.emergency.schemas import EmergencyCreate, HotlineCallCreate
from peduli.notify.models import OutboxMessage
from peduli.notify.service import open_body
from peduli.reference.places import directory
from tests.emergency.conftest import HQ, SEOUL, on_duty_now, sos, staff_actor
from tests.outbox import opened, recipients

RIYADH = "kbri-riyadh"
MINUTES = timedelta(minutes=1)


def _on_hq_desk(db: Session, admin: Actor, *, phone: str | None = None) -> DutyShift:
    zone = roster.zone_of(roster.HQ_DESK)
    start = roster.to_local(utcnow() - timedelta(hours=1), zone).replace(microsecond=0)
    return roster.add_shift(
        db,
        representation_code=roster.HQ_DESK,
        data=roster.ShiftInput(
            account_id=admin.account_id, starts_local=start, ends_local=start + timedelta(hours=8),
            phone=phone,
        ),
        actor=HQ,
    )  # fmt: skip


def _sos_to_riyadh(db: Session) -> Emergency:
    data = EmergencyCreate.model_validate(
        sos(country="SA", city="Riyadh", phone="+966501234567", kind="detained")
    )
    outcome = service.report_emergency(db, data=data, actor=None, ip="10.0.0.9", language="id")
    assert outcome.emergency.representation_code == RIYADH
    return outcome.emergency


def _step(db: Session, emergency: Emergency, minutes: int) -> None:
    assert alerting.escalate_unacknowledged(db, emergency.created_at + minutes * MINUTES) == 1
    db.commit()


def test_a_post_without_roster_alerts_its_supervisors_then_the_hq_desk(db: Session) -> None:
    staff_actor(db, Role.SUPERVISOR, RIYADH, "riyadh-boss")
    desk = staff_actor(db, Role.HQ_ADMIN, None, "hq-desk")
    staff_actor(db, Role.HQ_ADMIN, None, "hq-off-desk")
    _on_hq_desk(db, desk, phone="+6281100000001")
    emergency = _sos_to_riyadh(db)
    db.commit()
    assert sorted(recipients(db)) == ["riyadh-boss@kemlu.example"]
    _step(db, emergency, 10)
    assert sorted(recipients(db)) == [
        "+6281100000001", "hq-desk@kemlu.example", "riyadh-boss@kemlu.example",
        "riyadh-boss@kemlu.example",
    ]  # fmt: skip
    hq_mail = next(
        m for m in db.scalars(select(OutboxMessage)) if opened(m) == "hq-desk@kemlu.example"
    )
    body = open_body(hq_mail.body)  # sealed at rest: it names the caller
    assert "Meja piket Pusat" in body or "meja piket Pusat" in body
    assert "KBRI Riyadh" in body and "penangkapan atau penahanan" in body


def test_a_post_with_nobody_alerts_the_hq_desk_at_once(db: Session) -> None:
    desk = staff_actor(db, Role.HQ_ADMIN, None, "hq-desk")
    staff_actor(db, Role.HQ_ADMIN, None, "hq-off-desk")
    _on_hq_desk(db, desk)
    _sos_to_riyadh(db)
    db.commit()
    assert sorted(recipients(db)) == ["hq-desk@kemlu.example"]


def test_an_empty_hq_desk_means_every_active_hq_admin(db: Session) -> None:
    staff_actor(db, Role.HQ_ADMIN, None, "hq-one")
    staff_actor(db, Role.HQ_ADMIN, None, "hq-two")
    gone = staff_actor(db, Role.HQ_ADMIN, None, "hq-gone")
    staff_actor(db, Role.HQ_ANALYST, None, "hq-analyst")
    db.get_one(StaffAccount, gone.account_id).disabled_at = utcnow()
    emergency = _sos_to_riyadh(db)
    db.commit()
    assert sorted(recipients(db)) == ["hq-one@kemlu.example", "hq-two@kemlu.example"]
    alerting.alert_on_duty(db, emergency, utcnow())  # replayed: keyed, nothing sent twice
    db.commit()
    assert len(recipients(db)) == 2


def test_a_staffed_post_reaches_the_hq_desk_only_from_step_two(db: Session) -> None:
    primary = staff_actor(db, Role.OFFICER, SEOUL, "primary")
    staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
    desk = staff_actor(db, Role.HQ_ADMIN, None, "hq-desk")
    on_duty_now(db, primary)
    _on_hq_desk(db, desk)
    data = EmergencyCreate.model_validate(sos())
    emergency = service.report_emergency(db, data=data, actor=None, ip="10.0.0.1").emergency
    db.commit()
    assert recipients(db) == ["primary@kemlu.example"]
    _step(db, emergency, 10)
    assert "hq-desk@kemlu.example" not in recipients(db)
    _step(db, emergency, 21)
    assert Counter(recipients(db))["hq-desk@kemlu.example"] == 1
    _step(db, emergency, 40)
    assert Counter(recipients(db))["hq-desk@kemlu.example"] == 2


def test_a_disabled_officer_on_duty_does_not_swallow_the_alert(db: Session) -> None:
    primary = staff_actor(db, Role.OFFICER, SEOUL, "primary")
    supervisor = staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
    on_duty_now(db, primary)
    db.get_one(StaffAccount, primary.account_id).disabled_at = utcnow()
    data = EmergencyCreate.model_validate(sos())
    service.report_emergency(db, data=data, actor=None, ip="10.0.0.1")
    db.commit()
    assert recipients(db) == [f"{supervisor.display}@kemlu.example"]


def _one_sos_per_post(db: Session, admin: Actor) -> dict[str, Emergency]:
    """A hotline call to each post (HQ routes it there; the place only has to be valid)."""
    made = {}
    for n, post in enumerate(directory().all()):
        call = HotlineCallCreate.model_validate(
            sos(phone=f"+62811{n:07d}", country="KR", city=None,
                call_notes="Test call.", representation_code=post.code)
        )  # fmt: skip
        made[post.code] = service.record_hotline_call(db, data=call, actor=admin).emergency
    return made


def _alerted(db: Session, emergency: Emergency) -> int:
    """How many step-0 alerts the emergency sent (keys carry its id as the database prints
    a UUID: with dashes on PostgreSQL, 32 hex digits on SQLite)."""
    key = OutboxMessage.idempotency_key
    return len(
        db.scalars(
            select(OutboxMessage.id).where(
                or_(
                    key.startswith(f"emergency:{emergency.id}:step:0:"),
                    key.startswith(f"emergency:{emergency.id.hex}:step:0:"),
                )
            )
        ).all()
    )


@pytest.mark.parametrize("staffing", ["demo", "empty roster"])
def test_every_post_alerts_someone(db: Session, staffing: str) -> None:
    ensure_demo_staff(db)  # the demo's officers, supervisor, HQ admin and their rosters
    if staffing == "empty roster":
        db.execute(delete(DutyShift))
    admin = db.scalars(select(StaffAccount).where(StaffAccount.role == Role.HQ_ADMIN)).first()
    assert admin is not None
    actor = Actor(role=Role.HQ_ADMIN, account_id=admin.id, display=admin.display_name)
    made = _one_sos_per_post(db, actor)
    db.commit()
    assert len(made) == len(directory().all()) == 133
    nobody = sorted(code for code, emergency in made.items() if _alerted(db, emergency) == 0)
    assert nobody == []


def test_the_hq_desk_roster_is_kept_by_hq_admins(db: Session) -> None:
    desk = staff_actor(db, Role.HQ_ADMIN, None, "hq-desk")
    officer = staff_actor(db, Role.OFFICER, SEOUL, "officer")
    supervisor = staff_actor(db, Role.SUPERVISOR, SEOUL, "supervisor")
    shift = _on_hq_desk(db, desk)
    assert roster.to_local(shift.starts_at, roster.zone_of("hq")) == shift.starts_local
    assert roster.zone_of(roster.HQ_DESK).key == "Asia/Jakarta"
    with pytest.raises(ValidationFailed) as refused:
        _on_hq_desk(db, officer)
    assert refused.value.problems[0].code == "not_hq_admin"
    with pytest.raises(NotFound):
        roster.add_shift(
            db, representation_code=roster.HQ_DESK, actor=supervisor,
            data=roster.ShiftInput(account_id=desk.account_id, starts_local=shift.starts_local,
                                   ends_local=shift.ends_local),
        )  # fmt: skip
    assert list(dict(roster.post_staff(db, representation_code="hq")).values()) == ["hq-desk"]


def test_a_step_of_more_emergencies_than_one_statement_holds(db: Session) -> None:
    """Escalating more than ``CHUNK`` emergencies at once reaches every one's recipients."""
    staff_actor(db, Role.SUPERVISOR, RIYADH, "riyadh-boss")
    count = alerting.CHUNK + 3
    made = []
    for n in range(count):
        data = EmergencyCreate.model_validate(
            sos(country="SA", city="Riyadh", phone=f"+96650{n:07d}")
        )
        made.append(service.report_emergency(db, data=data, actor=None, ip=f"10.1.{n}.1"))
    db.commit()
    later = max(m.emergency.created_at for m in made) + 11 * MINUTES
    assert alerting.escalate_unacknowledged(db, later) == count
    db.commit()
    assert Counter(recipients(db)) == {"riyadh-boss@kemlu.example": 2 * count}
