"""Test data builders: valid reports, staff actors, and citizens signed in the real way."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import codes
from peduli.auth import service as auth_service
from peduli.auth.actor import Actor, Role
from peduli.auth.models import CitizenAccount
from peduli.notify.models import OutboxMessage
from peduli.registry.schemas import SelfReportCreate

SEOUL = {"country": "KR", "city": "Seoul", "latitude": 37.5665, "longitude": 126.9780}
KUALA_LUMPUR = {"country": "MY", "city": "Kuala Lumpur", "latitude": 3.139, "longitude": 101.6869}
HONG_KONG = {"country": "HK", "city": "Hong Kong", "latitude": 22.3193, "longitude": 114.1694}


def nik(
    *, born: date = date(1990, 5, 17), sex: str = "M", serial: int = 1, region: str = "317101"
) -> str:
    """A structurally valid NIK (DKI Jakarta by default) for a birth date and sex."""
    day = born.day + (40 if sex == "F" else 0)
    return f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def report(**overrides: Any) -> SelfReportCreate:
    """A valid lapor diri of a man working in Seoul; override any field."""
    born = overrides.pop("date_of_birth", date(1990, 5, 17))
    sex = overrides.pop("sex", "M")
    values: dict[str, Any] = {
        "nik": nik(born=born, sex=sex),
        "passport_number": "C1234567",
        "full_name": "Muhammad Yusuf",
        "date_of_birth": born,
        "sex": sex,
        "phone": "+821012345678",
        "email": "yusuf@example.org",
        "language": "id",
        **SEOUL,
        "address": "12 Sejong-daero, Jung-gu",
        "purpose": "work",
        "sector": "manufacturing",
        "employer": "Hanil Metal",
        "arrival_date": date(2024, 3, 1),
        "planned_end_date": date(2027, 3, 1),
    }
    values.update(overrides)
    return SelfReportCreate.model_validate(values)


def staff(role: Role = Role.OFFICER, representation_code: str | None = "kbri-seoul") -> Actor:
    """A staff actor (services take actors; sign-in itself is tested in tests/auth)."""
    bound = role in (Role.OFFICER, Role.SUPERVISOR)
    return Actor(
        role=role,
        account_id=uuid.uuid4(),
        display=f"{role}@kemlu.example",
        representation_code=representation_code if bound else None,
    )


def signed_in_citizen(session: Session, address: str, ip: str = "198.51.100.7") -> Actor:
    """Sign a citizen in through the real one-time-code path; the code is read from the outbox."""
    codes.request_code(session, address=address, ip=ip)
    body = session.scalars(
        select(OutboxMessage.body).order_by(OutboxMessage.created_at.desc()).limit(1)
    ).one()
    match = re.search(r"\b(\d{6})\b", body)
    assert match, "the sign-in message must carry a 6-digit code"
    account = codes.verify_code(session, address=address, code=match.group(1), ip=ip)
    return auth_service.citizen_actor(account, ip=ip)


def refreshed(session: Session, citizen: Actor) -> Actor:
    """The citizen as the next request sees them (e.g. linked to a record since)."""
    account = session.get_one(CitizenAccount, citizen.account_id)
    session.refresh(account)
    return auth_service.citizen_actor(account, ip=citizen.ip)
