"""Who a crisis reaches, decided in the database in one statement.

``audience`` builds the SELECT of every active stay inside the area: the covering cells
(``crisis_cell``) narrow by the index of active stays by cell (``ix_stay_active_cell``),
cells wholly inside need no more, and a stay in a border cell is decided exactly: haversine
distance for a circle, an even-odd count of ring edges crossed by a ray for a polygon.
Countries and subdivisions are a column match. The same SELECT feeds the counts and the
broadcast's ``INSERT … SELECT``; nothing is filtered in Python.

Only an active person has stays (a merge moves them to the survivor, an erasure deletes
them), and a stay carries its person's language: the audience never reads ``person``, a
table of 10 M rows whose look-ups cost more than the rest of the statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from peduli.core.db import driving_key
from peduli.crisis.models import AreaKind, Crisis, CrisisCell, CrisisEdge
from peduli.reference.geo import EARTH_RADIUS_KM
from peduli.registry.models import Stay, StayStatus

# As a literal, so that SQLite, too, reads the active stays from their partial index.
_ACTIVE = Stay.status == literal_column(f"'{StayStatus.ACTIVE.value}'")


def haversine_km(lat: Any, lon: Any, center: tuple[float, float]) -> ColumnElement[Any]:
    """Great-circle distance in SQL (PostgreSQL and SQLite both have the functions)."""
    clat, clon = center
    dlat = func.radians(lat - clat) / 2
    dlon = func.radians(lon - clon) / 2
    a = func.sin(dlat) * func.sin(dlat) + func.cos(func.radians(lat)) * func.cos(
        func.radians(literal(clat))
    ) * func.sin(dlon) * func.sin(dlon)
    # Rounding may push ``a`` a hair above 1, where asin is undefined.
    bounded = case((a > 1.0, 1.0), else_=a)
    return 2 * EARTH_RADIUS_KM * func.asin(func.sqrt(bounded))


def _inside_polygon(crisis_id: uuid.UUID) -> ColumnElement[bool]:
    """Even-odd rule: a ray from the stay eastwards crosses an odd number of edges."""
    lat, lon = Stay.latitude, Stay.longitude
    e = CrisisEdge
    crossings = (
        select(func.count())
        .where(
            e.crisis_id == crisis_id,
            or_(and_(e.y1 > lat, e.y2 <= lat), and_(e.y1 <= lat, e.y2 > lat)),
            lon < (e.x2 - e.x1) * (lat - e.y1) / (e.y2 - e.y1) + e.x1,
        )
        .correlate(Stay)
        .scalar_subquery()
    )
    return crossings % 2 == 1


def _exact(crisis: Crisis) -> ColumnElement[bool]:
    if crisis.area_kind == AreaKind.CIRCLE:
        assert crisis.center_latitude is not None and crisis.center_longitude is not None
        center = (crisis.center_latitude, crisis.center_longitude)
        return haversine_km(Stay.latitude, Stay.longitude, center) <= crisis.radius_km
    return _inside_polygon(crisis.id)


def distance_column(crisis: Crisis) -> ColumnElement[Any]:
    """Distance of the stay to the area's centre, or NULL where there is none."""
    if crisis.center_latitude is None or crisis.center_longitude is None:
        return literal(None).label("distance_km")
    center = (crisis.center_latitude, crisis.center_longitude)
    return haversine_km(Stay.latitude, Stay.longitude, center).label("distance_km")


def _bounds(crisis: Crisis) -> ColumnElement[bool]:
    """The bounding box of an area too large for a cell list."""
    from peduli.crisis.area import area_from_stored

    bounds = area_from_stored(crisis.area_kind, crisis.area_geojson).bounds
    south, west, north, east = bounds or (-90.0, -180.0, 90.0, 180.0)
    return and_(Stay.latitude.between(south, north), Stay.longitude.between(west, east))


@dataclass(frozen=True)
class CellRange:
    """A run of an area's H3 cells in the order of their names: those after ``after`` (from
    the first when None) up to and including ``through`` (to the last when None). The whole
    area when both are None.

    An area with covering cells runs over those (``crisis_cell``); an area without (countries,
    or an area too large for a cell list) over its stays' own cells, and its last run also
    takes the stays with no position, which have no cell."""

    after: str | None = None
    through: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """What limits a query joined to ``crisis_cell`` to the run's cells."""
        return self._bounds(CrisisCell.h3_cell)

    def stay_conditions(self) -> list[ColumnElement[bool]]:
        """What limits a query of stays, by their own cell, to the run."""
        bounds = self._bounds(Stay.h3_cell)
        if self.after is not None and self.through is None:  # the rest, and the unplaced
            bounds = [or_(*bounds, Stay.h3_cell.is_(None))]
        return bounds

    def _bounds(self, cell: Any) -> list[ColumnElement[bool]]:
        bounds = []
        if self.after is not None:
            bounds.append(cell > self.after)
        if self.through is not None:
            bounds.append(cell <= self.through)
        return bounds


EVERY_CELL = CellRange()


def cells_holding(session: Session, crisis: Crisis, *, after: str | None, stays: int) -> CellRange:
    """The run of cells after ``after`` that holds about ``stays`` active stays (never
    fewer, as a cell is not split); the rest of the area (``through`` None) when fewer are
    left.

    With covering cells, the running sum of each cell's stays stops at the first cell that
    reaches the number: the index of active stays by cell is read for those cells only, not
    for the area. Without, the audience's stays are read in the order of their cells from
    the same index, as far as the number."""
    if crisis.area_kind == AreaKind.COUNTRIES or not _has_cells(session, crisis):
        placed = audience(session, crisis, columns=(Stay.h3_cell,), cells=CellRange(after=after))
        nth = placed.where(Stay.h3_cell.is_not(None)).order_by(Stay.h3_cell).offset(stays - 1)
        return CellRange(after=after, through=session.scalar(nth.limit(1)))
    in_cell = (
        select(func.count())
        .select_from(Stay)
        .where(_ACTIVE, Stay.h3_cell == CrisisCell.h3_cell)
        .correlate(CrisisCell)
        .scalar_subquery()
    )
    running = (
        select(
            CrisisCell.h3_cell,
            func.sum(in_cell).over(order_by=CrisisCell.h3_cell).label("running"),
        )
        .where(CrisisCell.crisis_id == crisis.id, *CellRange(after=after).conditions())
        .order_by(CrisisCell.h3_cell)
        .subquery()
    )
    through = session.scalar(select(running.c.h3_cell).where(running.c.running >= stays).limit(1))
    return CellRange(after=after, through=through)


def audience(
    session: Session,
    crisis: Crisis,
    *,
    representation_codes: Collection[str] | None = None,
    columns: tuple[Any, ...] = (),
    cells: CellRange = EVERY_CELL,
) -> Select[Any]:
    """SELECT ``columns`` for every active stay in the crisis area (scoped to posts if given),
    or in the ``cells`` of it."""
    query = select(*columns).select_from(Stay).where(_ACTIVE)
    if crisis.area_kind == AreaKind.COUNTRIES:
        query = query.where(*cells.stay_conditions())
        countries = [c for c in (crisis.countries or "").split(",") if c]
        subdivisions = [s for s in (crisis.subdivisions or "").split(",") if s]
        query = query.where(
            or_(
                Stay.country.in_(countries) if countries else literal(False),
                Stay.subdivision.in_(subdivisions) if subdivisions else literal(False),
            )
        )
    elif _has_cells(session, crisis):
        query = query.join(
            CrisisCell,
            and_(
                CrisisCell.crisis_id == crisis.id, driving_key(CrisisCell.h3_cell) == Stay.h3_cell
            ),
        ).where(or_(CrisisCell.inside == true(), _exact(crisis)))
        query = query.where(*cells.conditions())
    else:
        query = query.where(Stay.latitude.is_not(None), _bounds(crisis), _exact(crisis))
        query = query.where(*cells.stay_conditions())
    if representation_codes is not None:
        query = query.where(Stay.representation_code.in_(sorted(representation_codes)))
    return query


def _has_cells(session: Session, crisis: Crisis) -> bool:
    return (
        session.scalar(select(CrisisCell.h3_cell).where(CrisisCell.crisis_id == crisis.id).limit(1))
        is not None
    )
