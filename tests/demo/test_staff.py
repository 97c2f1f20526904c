"""The demo's staff: two HQ admins, so a newcomer can try the two-person approval."""

from __future__ import annotations

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import totp
from peduli.auth.actor import Role
from peduli.auth.models import StaffAccount
from peduli.demo.staff import DEMO_STAFF, ensure_demo_staff


def test_the_demo_has_two_hq_admins_with_their_documented_keys(db: Session) -> None:
    ensure_demo_staff(db)
    admins = db.scalars(
        select(StaffAccount).where(StaffAccount.role == Role.HQ_ADMIN).order_by(StaffAccount.email)
    ).all()
    assert [a.email for a in admins] == ["admin2@demo.peduli.example", "admin@demo.peduli.example"]
    keys = {s.email: s.totp_secret for s in DEMO_STAFF}
    for admin in admins:
        assert admin.totp_confirmed_at is not None
        key = keys[admin.email]
        assert key is not None
        assert totp.current_code(admin) == pyotp.TOTP(key).now()
