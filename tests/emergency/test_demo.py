"""In the demo, an SOS from Seoul alerts the demo officer on duty (mail and SMS)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.demo.rosters import ensure_demo_rosters
from peduli.demo.staff import ensure_demo_staff
from peduli.emergency import service
from peduli.emergency.schemas import EmergencyCreate
from peduli.notify.models import OutboxMessage
from tests.emergency.conftest import sos


def test_demo_rosters_alert_the_demo_officer(db: Session) -> None:
    ensure_demo_staff(db)
    assert ensure_demo_rosters(db) == 0, "running the demo twice adds no shifts"
    data = EmergencyCreate.model_validate(sos())
    service.report_emergency(db, data=data, actor=None, ip="203.0.113.5")
    recipients = set(db.scalars(select(OutboxMessage.recipient)))
    assert recipients == {"officer.seoul@demo.peduli.example", "+821000000001"}
