"""CAP 1.2: real-looking alerts become drafts; hostile or malformed XML gets a clear 4xx."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.core.errors import ValidationFailed
from peduli.crisis import area as areas
from peduli.crisis import cap, service
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
