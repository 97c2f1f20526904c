"""The one-off backfill places stays without coordinates at their city (registry.positions)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.registry import service
from peduli.registry.models import Stay
from peduli.registry.positions import backfill_positions
from tests.factories import nik, report, staff


def _stay_without_position(db: Session, city: str, serial: int) -> None:
    outcome = service.submit_self_report(
        db,
        report=report(
            city=city, latitude=None, longitude=None, nik=nik(serial=serial),
            passport_number=f"C{serial:07d}", phone=f"+82101234{serial:04d}",
            email=f"p{serial}@example.org",
        ),
        actor=staff(),
    )  # fmt: skip
    # As recorded before positions came from the city.
    db.execute(
        update(Stay)
        .where(Stay.id == outcome.stay.id)
        .values(latitude=None, longitude=None, h3_cell=None, position_approximate=False)
    )


def test_backfill_places_every_stay_of_a_known_city_and_leaves_the_rest(db: Session) -> None:
    _stay_without_position(db, "Busan", 1)
    _stay_without_position(db, "Busan", 2)
    _stay_without_position(db, "Nowhere Village", 3)
    service.submit_self_report(
        db,
        report=report(nik=nik(serial=4), passport_number="C0000004",
                      phone="+821012340004", email="p4@example.org"),
        actor=staff(),
    )  # fmt: skip  # Seoul, by GPS: untouched
    db.commit()
    assert backfill_positions(db).placed == 2
    db.commit()
    rows = db.execute(
        select(Stay.city, Stay.latitude, Stay.h3_cell, Stay.position_approximate).order_by(
            Stay.city
        )
    ).all()
    busan = [r for r in rows if r.city == "Busan"]
    assert all(r.latitude == pytest.approx(35.10, abs=0.05) for r in busan)
    assert all(r.h3_cell and r.position_approximate for r in busan)
    assert [r.latitude for r in rows if r.city == "Nowhere Village"] == [None]
    seoul = [r for r in rows if r.city == "Seoul"]
    assert [(r.latitude, r.position_approximate) for r in seoul] == [(37.5665, False)]
    assert backfill_positions(db).placed == 0


def test_backfill_gives_a_state_typed_as_the_city_its_province_as_a_self_report_does(
    db: Session,
) -> None:
    typed = {"Sabah": "MY-12", "Johor": "MY-01", "Pulau Pinang": "MY-07"}
    for serial, city in enumerate([*typed, "Ipoh"], start=1):
        outcome = service.submit_self_report(
            db,
            report=report(
                country="MY", city=city, latitude=None, longitude=None, nik=nik(serial=serial),
                passport_number=f"C{serial:07d}", phone=f"+6012345{serial:04d}",
                email=f"m{serial}@example.org",
            ),
            actor=staff(Role.HQ_ADMIN),
        )  # fmt: skip
        # As recorded before a state typed as the city named its province.
        recorded = outcome.stay.subdivision
        db.execute(update(Stay).where(Stay.id == outcome.stay.id).values(subdivision=None))
        assert recorded == typed.get(city), city
    db.commit()
    done = backfill_positions(db)
    db.commit()
    assert done.provinces == 3
    provinces = {
        row.city: row.subdivision for row in db.execute(select(Stay.city, Stay.subdivision))
    }
    assert provinces == {**typed, "Ipoh": None}
    assert backfill_positions(db).provinces == 0
