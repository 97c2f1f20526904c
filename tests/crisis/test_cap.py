"""CAP 1.2: real-looking alerts become drafts; hostile or malformed XML gets a clear 4xx."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.core.errors import ValidationFailed
from peduli.crisis import area as areas
from peduli.crisis import cap, service
from peduli.crisis.models import Crisis
from peduli.crisis.schemas import CrisisCreate
from tests.factories import staff

SAMPLES = Path(__file__).parent / "cap_samples"


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_bmkg_earthquake_becomes_a_circle() -> None:
    draft = cap.parse(_sample("bmkg_earthquake.xml"))
    assert draft.kind == "earthquake" and draft.severity == "severe"
    assert draft.title.startswith("M6.2 earthquake")  # the English <info> names it
    assert draft.area.kind == "circle"
    assert draft.area.center == (3.05, 101.55) and draft.area.radius_km == 80
    assert draft.identifier == "BMKG20261124210512"
    assert draft.sent is not None and draft.sent.hour == 14  # 21:05 WIB is 14:05 UTC


def test_flood_warning_unites_every_area_of_every_info() -> None:
    draft = cap.parse(_sample("flood_polygon.xml"))
    assert draft.kind == "flood" and draft.severity == "moderate"
    assert draft.area.kind == "polygon"
    # Klang, Shah Alam (overlapping boxes united) and the coast circle of the second <info>.
    assert areas.contains(draft.area, 3.05, 101.40)  # Klang
    assert areas.contains(draft.area, 3.11, 101.57)  # Shah Alam
    assert areas.contains(draft.area, 2.96, 101.39)  # in the circle, outside both boxes
    assert not areas.contains(draft.area, 3.14, 101.69)  # Kuala Lumpur


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (_sample("xxe.xml"), "xml_forbidden"),
        (_sample("billion_laughs.xml"), "xml_forbidden"),
        (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><info>", "xml_malformed"),
        (b"", "xml_malformed"),
        (b"<rss><channel/></rss>", "not_cap"),
        (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'/>", "no_info"),
        (
            b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><info><event>x</event>"
            b"<area><polygon>1,1 2,2 1,1</polygon></area></info></alert>",
            "polygon_invalid",
        ),
        (
            b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><info><event>x</event>"
            b"<area><circle>95,10 5</circle></area></info></alert>",
            "coordinate_invalid",
        ),
        (
            b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><info><event>x</event>"
            b"<area><areaDesc>nowhere</areaDesc></area></info></alert>",
            "no_area",
        ),
    ],
)
def test_hostile_or_malformed_documents_are_refused(document: bytes, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        cap.parse(document)
    assert refused.value.problems[0].code == code


@pytest.mark.parametrize(
    "area",
    [
        {"circle": {"lat": -6.2, "lon": 106.8, "radius_km": 25.5}},
        {
            "type": "Polygon",
            "coordinates": [[[101.3, 2.8], [102.0, 2.9], [101.6, 3.7], [101.3, 2.8]]],
        },
        {"countries": ["MY", "SG"], "subdivisions": ["TH-10"]},
    ],
)
def test_export_then_import_gives_the_same_crisis(db: Session, area: dict) -> None:
    hq = staff(Role.HQ_ADMIN)
    body = CrisisCreate(title="Banjir besar", kind="flood", severity="extreme", area=area)
    crisis = service.declare(db, body=body, actor=hq)
    document = service.export_cap(db, crisis_id=crisis.id, actor=hq)
    again = cap.parse(document)
    assert (again.title, again.kind, again.severity) == ("Banjir besar", "flood", "extreme")
    original = areas.parse_area(area)
    assert again.area.kind == original.kind
    assert again.area.countries == original.countries
    assert again.area.subdivisions == original.subdivisions
    if original.geometry is not None and original.kind == "polygon":
        assert again.area.geometry is not None
        assert again.area.geometry.symmetric_difference(original.geometry).area < 1e-9
    assert again.area.center == pytest.approx(original.center) if original.center else True


def _admin_headers() -> dict[str, str]:
    with session_scope() as db:
        auth_service.create_staff(db, email="hq@kemlu.example", role=Role.HQ_ADMIN)
        return {
            "Authorization": f"Bearer {auth_service.create_token(db, email='hq@kemlu.example')}"
        }


def test_cap_over_http_drafts_and_exports(client: TestClient) -> None:
    headers = _admin_headers() | {"Content-Type": "application/cap+xml"}
    created = client.post(
        "/api/v1/crises/cap", content=_sample("bmkg_earthquake.xml"), headers=headers
    )
    assert created.status_code == 201, created.text
    crisis = created.json()
    assert crisis["status"] == "draft" and crisis["area"]["circle"]["radius_km"] == 80
    exported = client.get(f"/api/v1/crises/{crisis['id']}/cap", headers=headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/cap+xml")
    assert b"<circle>3.050000,101.550000 80</circle>" in exported.content
    hostile = client.post("/api/v1/crises/cap", content=_sample("xxe.xml"), headers=headers)
    assert hostile.status_code == 422
    assert hostile.headers["content-type"].startswith("application/problem+json")
    assert "DTD" in hostile.json()["detail"]
    assert "root:" not in hostile.text  # nothing of /etc/passwd


def _point_alert(*, identifier: str = "PHIVOLCS-2026-0042", geocode: str = "") -> bytes:
    """An alert naming a point (a circle of radius 0, CAP 1.2 section 3.2.4)."""
    return (
        "<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'>"
        f"<identifier>{identifier}</identifier><sender>alerts@phivolcs.example</sender>"
        "<sent>2026-11-30T08:15:00+08:00</sent><status>Actual</status><msgType>Alert</msgType>"
        "<scope>Public</scope><info><language>en-US</language><category>Geo</category>"
        "<event>Earthquake</event><severity>Severe</severity><headline>M5.9 near Davao</headline>"
        f"<area><areaDesc>Epicentre</areaDesc><circle>7.19,125.45 0</circle>{geocode}</area>"
        "</info></alert>"
    ).encode()


def test_a_point_alert_becomes_a_point_area() -> None:
    draft = cap.parse(_point_alert())
    assert draft.area.kind == "circle"
    assert draft.area.center == (7.19, 125.45) and draft.area.radius_km == 0
    assert areas.contains(draft.area, 7.19, 125.45)
    assert not areas.contains(draft.area, 7.2, 125.45)
    assert len(areas.cover(draft.area).cells) == 1  # the cell the point lies in


def test_a_point_beside_a_geocode_adds_nothing_to_the_area() -> None:
    geocode = "<geocode><valueName>ISO3166-1</valueName><value>PH</value></geocode>"
    draft = cap.parse(_point_alert(geocode=geocode))
    assert draft.area.kind == "countries" and draft.area.countries == ("PH",)


def test_a_point_alert_over_http_is_drafted_and_exported_as_a_point(client: TestClient) -> None:
    headers = _admin_headers() | {"Content-Type": "application/cap+xml"}
    created = client.post("/api/v1/crises/cap", content=_point_alert(), headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["area"] == {"circle": {"lat": 7.19, "lon": 125.45, "radius_km": 0.0}}
    exported = client.get(f"/api/v1/crises/{created.json()['id']}/cap", headers=headers)
    assert b"<circle>7.190000,125.450000 0</circle>" in exported.content


def test_importing_the_same_alert_again_gives_the_crisis_it_made(client: TestClient) -> None:
    headers = _admin_headers() | {"Content-Type": "application/cap+xml"}
    first = client.post("/api/v1/crises/cap", content=_point_alert(), headers=headers)
    again = client.post("/api/v1/crises/cap", content=_point_alert(), headers=headers)
    other = client.post(
        "/api/v1/crises/cap", content=_point_alert(identifier="PHIVOLCS-2026-0043"), headers=headers
    )
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json() == first.json()
    assert other.json()["id"] != first.json()["id"]
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(Crisis)) == 2
