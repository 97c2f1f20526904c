"""Targeting in the database equals an independent Python decision on a random population."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.core.db import is_postgres, joins_by_index_lookup
from peduli.crisis import area as areas
from peduli.crisis import service, targeting
from peduli.crisis.models import CrisisCell
from peduli.crisis.schemas import CrisisCreate
from peduli.registry.models import Stay
from tests.crisis.crisis_helpers import add_person
from tests.factories import staff

KL = (3.139, 101.687)
HQ = staff(Role.HQ_ADMIN)


def _population(db: Session, n: int = 400, seed: int = 7) -> None:
    rng = random.Random(seed)
    for i in range(n):
        # Most people near KL, some far; some departed (never targeted).
        spread = 0.6 if i % 5 else 3.0
        add_person(
            db,
            latitude=KL[0] + rng.uniform(-spread, spread),
            longitude=KL[1] + rng.uniform(-spread, spread),
            language=rng.choice(["id", "en", "zh", "fr"]),
            purpose=rng.choice(["work", "study", "family"]),
            post=rng.choice(["kbri-kuala-lumpur", "kjri-johor-bahru"]),
            status="departed" if i % 17 == 0 else "active",
        )
    db.commit()


def _sql_ids(db: Session, crisis_id: object) -> set[object]:
    crisis = service.get(db, crisis_id=crisis_id, actor=HQ)  # type: ignore[arg-type]
    return set(db.scalars(targeting.audience(db, crisis, columns=(Stay.id,))))


def _python_ids(db: Session, area: areas.Area) -> set[object]:
    rows = db.execute(select(Stay.id, Stay.latitude, Stay.longitude, Stay.status)).all()
    return {
        sid
        for sid, lat, lon, status in rows
        if status == "active" and areas.contains(area, lat, lon)
    }


RING = [[101.3, 2.8], [102.0, 2.9], [102.1, 3.5], [101.6, 3.7], [101.2, 3.3], [101.3, 2.8]]
HOLE = [[101.6, 3.1], [101.8, 3.1], [101.8, 3.3], [101.6, 3.3], [101.6, 3.1]]
AREAS = {
    "circle": {"circle": {"lat": KL[0], "lon": KL[1], "radius_km": 35}},
    "polygon_with_hole": {"type": "Polygon", "coordinates": [RING, HOLE]},
    "multipolygon": {
        "type": "MultiPolygon",
        "coordinates": [
            [[[101.0, 2.5], [101.5, 2.5], [101.5, 3.0], [101.0, 3.0], [101.0, 2.5]]],
            [[[101.7, 3.2], [102.3, 3.2], [102.0, 3.9], [101.7, 3.2]]],
        ],
    },
}


@pytest.mark.parametrize("name", sorted(AREAS))
def test_audience_matches_an_independent_python_decision(db: Session, name: str) -> None:
    _population(db)
    body = CrisisCreate(title="Test crisis", kind="flood", severity="severe", area=AREAS[name])
    crisis = service.declare(db, body=body, actor=HQ)
    db.commit()
    expected = _python_ids(db, areas.parse_area(AREAS[name]))
    assert expected, "the area must hold people for the test to mean something"
    assert _sql_ids(db, crisis.id) == expected


@pytest.mark.parametrize("area", ["circle", "countries", "bounding_box"])
def test_runs_of_cells_split_the_audience_whole_and_without_overlap(
    db: Session, area: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a large send writes run by run is the audience, each person once: by the
    area's covering cells, or by the stays' own cells where it has none (a country, an
    area too large for cells), the stays without a position in the last run."""
    _population(db)
    unplaced = add_person(db, latitude=KL[0], longitude=KL[1])
    db.execute(
        update(Stay)
        .where(Stay.id == unplaced.stay_id)
        .values(latitude=None, longitude=None, h3_cell=None)
    )
    db.commit()
    if area == "bounding_box":
        monkeypatch.setattr(areas, "MAX_CELLS", 10)
    declared = {"countries": {"countries": ["MY"]}}.get(area, AREAS["circle"])
    body = CrisisCreate(title="Test crisis", kind="flood", severity="severe", area=declared)
    crisis = service.declare(db, body=body, actor=HQ)
    db.commit()
    runs: list[set[object]] = []
    after = None
    while True:
        cells = targeting.cells_holding(db, crisis, after=after, stays=25)
        runs.append(
            set(db.scalars(targeting.audience(db, crisis, columns=(Stay.id,), cells=cells)))
        )
        if cells.through is None:
            break
        if area == "circle":
            assert _stays_in(db, crisis.id, cells) >= 25  # about that many, never fewer
        else:
            assert len(runs[-1]) >= 25
        after = cells.through

    assert len(runs) >= 3
    assert sum(len(run) for run in runs) == len(_sql_ids(db, crisis.id))
    assert set().union(*runs) == _sql_ids(db, crisis.id)
    assert (unplaced.stay_id in runs[-1]) == (area == "countries")  # no position, no cell


def _stays_in(db: Session, crisis_id: object, cells: targeting.CellRange) -> int:
    """The active stays in the run's cells, inside the area or not."""
    query = (
        select(func.count())
        .select_from(Stay)
        .join(CrisisCell, CrisisCell.h3_cell == Stay.h3_cell)
        .where(CrisisCell.crisis_id == crisis_id, Stay.status == "active")
    )
    return db.scalar(query.where(*cells.conditions())) or 0


def _plan(db: Session, crisis_id: object, cells: targeting.CellRange = targeting.EVERY_CELL) -> str:
    """The plan of the grouped audience count (of a run of ``cells``), read from the stays'
    index wherever it can."""
    crisis = service.get(db, crisis_id=crisis_id, actor=HQ)  # type: ignore[arg-type]
    columns = (Stay.representation_code, Stay.language, func.count())
    query = targeting.audience(db, crisis, columns=columns, cells=cells).group_by(*columns[:2])
    sql = str(query.compile(db.get_bind(), compile_kwargs={"literal_binds": True}))
    if not is_postgres(db):
        return "\n".join(row[-1] for row in db.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    db.execute(text("ANALYZE stay, crisis_cell"))  # the planner sees the rows as they are
    db.execute(text("SET LOCAL enable_seqscan = off"))  # as if the tables were large
    with joins_by_index_lookup(db):
        return "\n".join(db.scalars(text(f"EXPLAIN {sql}")))


def test_the_audience_reads_active_stays_cell_by_cell_from_their_index(db: Session) -> None:
    _population(db, n=40)
    body = CrisisCreate(title="Test crisis", kind="flood", severity="severe", area=AREAS["circle"])
    crisis = service.declare(db, body=body, actor=HQ)
    db.commit()
    plan = _plan(db, crisis.id)
    assert "ix_stay_active_cell" in plan, plan
    assert plan.index("crisis_cell") < plan.index("ix_stay_active_cell"), "cells drive the loop"
    assert "Hash Join" not in plan and "Merge Join" not in plan, plan
    assert "person" not in plan, "the stay carries what the audience needs of its person"


def test_a_run_of_a_countrys_audience_is_read_from_the_index_of_active_stays(db: Session) -> None:
    """A country-wide send is written in runs of the stays' cells, each run a range of the
    index (on PostgreSQL from the index alone: it includes the country), not a scan of
    every stay."""
    _population(db, n=40)
    body = CrisisCreate(title="Haze", kind="other", severity="minor", area={"countries": ["MY"]})
    crisis = service.declare(db, body=body, actor=HQ)
    db.commit()
    first, second = db.scalars(select(Stay.h3_cell).order_by(Stay.h3_cell).limit(2))
    plan = _plan(db, crisis.id, targeting.CellRange(after=first, through=second))
    assert "ix_stay_active_cell" in plan, plan
    if is_postgres(db):
        assert "Index Only Scan" in plan, plan


def test_large_area_by_bounding_box_matches_too(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _population(db, n=150, seed=3)
    monkeypatch.setattr(areas, "MAX_CELLS", 10)
    body = CrisisCreate(
        title="Wide storm", kind="storm", severity="severe", area=AREAS["polygon_with_hole"]
    )
    crisis = service.declare(db, body=body, actor=HQ)
    db.commit()
    expected = _python_ids(db, areas.parse_area(AREAS["polygon_with_hole"]))
    assert _sql_ids(db, crisis.id) == expected


def test_countries_and_subdivisions_by_column(db: Session) -> None:
    add_person(db, latitude=3.1, longitude=101.6, subdivision="MY-14")
    add_person(db, latitude=1.5, longitude=103.7, subdivision="MY-01", city="Johor Bahru")
    add_person(db, latitude=1.35, longitude=103.8, country="SG", subdivision=None, city="Singapore")
    db.commit()
    by_country = service.declare(
        db,
        body=CrisisCreate(title="Haze", kind="other", severity="minor", area={"countries": ["MY"]}),
        actor=HQ,
    )
    by_subdivision = service.declare(
        db,
        body=CrisisCreate(
            title="Flood", kind="flood", severity="minor",
            area={"countries": ["SG"], "subdivisions": ["MY-01"]},
        ),
        actor=HQ,
    )  # fmt: skip
    db.commit()
    assert service.count_audience(db, by_country).total == 2
    assert service.count_audience(db, by_subdivision).total == 2


def test_audience_counts_by_post_purpose_and_language(db: Session) -> None:
    add_person(db, latitude=3.14, longitude=101.69, language="zh", purpose="study")
    add_person(db, latitude=3.15, longitude=101.70, language="id", post="kjri-johor-bahru")
    add_person(db, latitude=3.16, longitude=101.71, status="departed")
    add_person(db, latitude=5.4, longitude=100.3)  # Penang: outside
    db.commit()
    crisis = service.declare(
        db,
        body=CrisisCreate(
            title="Quake", kind="earthquake", severity="severe",
            area={"circle": {"lat": KL[0], "lon": KL[1], "radius_km": 20}},
        ),
        actor=HQ,
    )  # fmt: skip
    db.commit()
    audience = service.audience(db, crisis_id=crisis.id, actor=HQ)
    assert audience.total == 2
    assert audience.by_representation == {"kbri-kuala-lumpur": 1, "kjri-johor-bahru": 1}
    assert audience.by_language == {"zh": 1, "id": 1}
    assert audience.by_purpose == {"study": 1, "work": 1}
    officer = staff(Role.OFFICER, "kjri-johor-bahru")
    scoped = service.audience(db, crisis_id=crisis.id, actor=officer)
    assert scoped.by_representation == {"kjri-johor-bahru": 1}
    assert sorted(crisis.representation_codes.split(",")) == [
        "kbri-kuala-lumpur",
        "kjri-johor-bahru",
    ]
