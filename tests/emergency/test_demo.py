"""In the demo, an SOS from Seoul alerts the demo officer on duty (mail and SMS)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from peduli.demo.rosters import ensure_demo_rosters
from peduli.demo.staff import ensure_demo_staff
from peduli.emergency import service
from peduli.emergency.schemas import EmergencyCreate
from tests.emergency.conftest import sos
from tests.outbox import recipients as outbox_recipients


def test_demo_rosters_alert_the_demo_officer(db: Session) -> None:
    ensure_demo_staff(db)
    assert ensure_demo_rosters(db) == 0, "running the demo twice adds no shifts"
    data = EmergencyCreate.model_validate(sos())
    service.report_emergency(db, data=data, actor=None, ip="203.0.113.5")
    recipients = set(outbox_recipients(db))
    assert recipients == {"officer.seoul@demo.peduli.example", "+821000000001"}


def test_the_demo_hq_admin_sits_on_the_hq_desk(db: Session) -> None:
    """An SOS to a post without demo staff (Riyadh) reaches the demo HQ admin at once."""
    ensure_demo_staff(db)
    data = EmergencyCreate.model_validate(sos(country="SA", city="Riyadh", phone="+966501234567"))
    service.report_emergency(db, data=data, actor=None, ip="203.0.113.6")
    assert set(outbox_recipients(db)) == {"admin@demo.peduli.example"}
