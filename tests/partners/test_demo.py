"""The demo's partners: created once, accounts linked, one case in the Seoul partner's queue."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.models import StaffAccount
from peduli.auth.service import staff_actor
from peduli.demo.partners import ensure_demo_partners
from peduli.demo.staff import ensure_demo_staff
from peduli.partners import repository
from peduli.partners.models import Partner, PartnerMember


def test_demo_partners_are_created_once_with_work_waiting(db: Session) -> None:
    ensure_demo_staff(db)
    assert len(ensure_demo_partners(db)) == 3
    db.commit()
    assert ensure_demo_partners(db) == []
    assert db.scalar(select(func.count()).select_from(Partner)) == 3
    assert db.scalar(select(func.count()).select_from(PartnerMember)) == 2
    account = db.scalars(
        select(StaffAccount).where(StaffAccount.email == "mitra.seoul@demo.peduli.example")
    ).one()
    total, rows = repository.partner_queue(db, actor=staff_actor(account, ip=None, via="session"))
    assert total == 1 and rows[0].case.reference.startswith("KBRI-SEOUL-")
