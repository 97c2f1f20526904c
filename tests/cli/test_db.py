"""``peduli db backfill-positions`` places stays without coordinates at their city and gives
a state typed as the city its province."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from peduli.cli.main import app
from peduli.registry.models import Stay
from tests.crisis.crisis_helpers import add_person


def test_backfill_positions_places_a_stay_recorded_without_gps(db: Session) -> None:
    placed = add_person(db, latitude=3.14, longitude=101.69, city="Kota Kinabalu")
    add_person(db, latitude=5.98, longitude=116.07, city="Sabah", subdivision=None)
    stay = db.get(Stay, placed.stay_id)
    assert stay is not None
    stay.latitude = stay.longitude = stay.h3_cell = None
    db.commit()
    result = CliRunner().invoke(app, ["db", "backfill-positions"])
    assert result.exit_code == 0, result.output
    assert "stays placed at their city: 1" in result.output
    assert "stays given their province: 1" in result.output
    db.expire_all()
    row = db.execute(
        select(Stay.latitude, Stay.h3_cell, Stay.position_approximate).where(
            Stay.id == placed.stay_id
        )
    ).one()
    assert round(row.latitude, 1) == 6.0 and row.h3_cell and row.position_approximate
