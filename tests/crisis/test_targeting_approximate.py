"""Stays placed only by their city are targeted when the city is in the area, and counted
apart (crisis.targeting, crisis.service ``count_audience``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.crisis import service
from peduli.crisis.schemas import CrisisCreate
from peduli.registry import service as registry_service
from tests.crisis.conftest import Sent
from tests.factories import nik, report, staff

HQ = staff(Role.HQ_ADMIN)
KK_OFFICER = staff(Role.OFFICER, "kjri-kota-kinabalu")


def _report_without_gps(db: Session, city: str, serial: int) -> None:
    registry_service.submit_self_report(
        db,
        report=report(
            country="MY", city=city, latitude=None, longitude=None,
            nik=nik(serial=serial), passport_number=f"C{serial:07d}",
            phone=f"+6012345{serial:04d}", email=f"p{serial}@example.org",
        ),
        actor=staff(Role.HQ_ADMIN),
    )  # fmt: skip


def _circle(db: Session, lat: float, lon: float, radius_km: float) -> object:
    crisis = service.declare(
        db,
        body=CrisisCreate(
            title="Flood", kind="flood", severity="severe",
            area={"circle": {"lat": lat, "lon": lon, "radius_km": radius_km}},
        ),
        actor=HQ,
    )  # fmt: skip
    db.commit()
    return crisis


def test_approximate_stays_in_the_area_are_in_the_audience_and_counted_apart(
    db: Session,
) -> None:
    _report_without_gps(db, "Kota Kinabalu", 1)
    _report_without_gps(db, "KK", 2)  # an alias: the same city
    _report_without_gps(db, "Kuching", 3)  # far outside
    registry_service.submit_self_report(
        db,
        report=report(
            country="MY", city="Kota Kinabalu", latitude=5.98, longitude=116.07,
            nik=nik(serial=4), passport_number="C0000004",
            phone="+60123450004", email="p4@example.org",
        ),
        actor=HQ,
    )  # fmt: skip
    db.commit()
    crisis = _circle(db, 5.97, 116.07, 30)
    audience = service.count_audience(db, crisis)  # type: ignore[arg-type]
    assert audience.total == 3
    assert audience.approximate == 2
    assert audience.by_representation == {"kjri-kota-kinabalu": 3}
    scoped = service.audience(db, crisis_id=crisis.id, actor=KK_OFFICER)  # type: ignore[attr-defined]
    assert (scoped.total, scoped.approximate) == (3, 2)


def test_an_approximate_stay_whose_city_is_outside_is_left_out(db: Session) -> None:
    _report_without_gps(db, "Kuching", 5)
    db.commit()
    crisis = _circle(db, 5.97, 116.07, 30)
    audience = service.count_audience(db, crisis)  # type: ignore[arg-type]
    assert (audience.total, audience.approximate) == (0, 0)


def test_the_audience_api_reports_the_approximate_figure(sent: Sent) -> None:
    with session_scope() as db:  # a citizen in Kuala Lumpur who declined GPS
        _report_without_gps(db, "Kuala Lumpur", 9)
    response = sent.client.get(
        f"/api/v1/crises/{sent.crisis_id}/audience", headers=sent.headers["hq"]
    )
    assert response.status_code == 200, response.text
    audience = response.json()
    assert (audience["total"], audience["approximate"]) == (4, 1)
