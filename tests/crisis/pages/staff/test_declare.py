"""Declaring a crisis on the staff page: lists, a drawn area, uploaded files, errors, scope."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.crisis.models import Crisis
from peduli.web.i18n import LANGUAGE_COOKIE
from tests.web.officer_support import csrf, signed_in_officer

NEW = "/officer/crises/new"
SAMPLES = Path(__file__).parents[2] / "cap_samples"
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[101.6, 3.0], [101.8, 3.0], [101.8, 3.2], [101.6, 3.2], [101.6, 3.0]]],
}
TYPED = {"title": "Banjir Selangor", "kind": "flood", "severity": "severe"}


@pytest.fixture
def hq(client: TestClient, db: Session) -> TestClient:
    client.cookies.set(LANGUAGE_COOKIE, "en")
    signed_in_officer(client, db, "hq@example.org", Role.HQ_ADMIN, None)
    return client


def _post(client: TestClient, data: dict[str, Any], files: dict[str, Any] | None = None) -> Any:
    token = csrf(client.get(NEW).text)
    return client.post(NEW, data={**data, "csrf_token": token}, files=files, follow_redirects=False)


def _declared(db: Session, answer: Any) -> SimpleNamespace:
    """The crisis the form declared, read and let go (SQLite: no transaction left open)."""
    assert answer.status_code == 303, answer.text
    match = re.fullmatch(r"/officer/crises/([0-9a-f-]{36})", answer.headers["location"])
    assert match, answer.headers["location"]
    db.expire_all()
    crisis = db.get(Crisis, uuid.UUID(match.group(1)))
    assert crisis is not None
    snapshot = SimpleNamespace(**{c.key: getattr(crisis, c.key) for c in Crisis.__table__.c})
    db.rollback()
    return snapshot


def test_the_form_lists_kinds_countries_and_posts_by_name(hq: TestClient) -> None:
    page = hq.get(NEW)
    assert page.status_code == 200
    assert '<option value="civil_unrest">Civil unrest</option>' in page.text
    assert '<option value="extreme">Extreme</option>' in page.text
    assert 'value="MY"> Malaysia</label>' in page.text
    assert re.search(r'value="kbri-kuala-lumpur"> KBRI Kuala Lumpur', page.text)
    indonesian = hq.get(NEW + "?lang=id")
    assert '<option value="civil_unrest">Kerusuhan</option>' in indonesian.text


def test_hq_declares_with_countries_and_lands_on_the_board(hq: TestClient, db: Session) -> None:
    answer = _post(hq, {**TYPED, "countries": ["MY", "SG"], "posts": ["kbri-kuala-lumpur"]})
    crisis = _declared(db, answer)
    assert (crisis.area_kind, crisis.countries) == ("countries", "MY,SG")
    assert crisis.representation_codes == "kbri-kuala-lumpur"
    assert crisis.status == "active"
    board = hq.get(answer.headers["location"])
    assert "Banjir Selangor" in board.text
    assert "Flood · Severe · Active" in board.text
    listed = hq.get("/officer/crises?lang=fr")
    assert "<td>Inondation</td><td>Grave</td><td>Active</td>" in listed.text


def test_the_provinces_of_a_country_are_listed_then_picked(hq: TestClient, db: Session) -> None:
    listed = _post(hq, {**TYPED, "province_country": "MY", "go": "provinces"})
    assert listed.status_code == 200
    assert 'value="MY-10"> Selangor</label>' in listed.text
    assert 'value="Banjir Selangor"' in listed.text  # what was typed is kept
    crisis = _declared(db, _post(hq, {**TYPED, "subdivisions": ["MY-10"]}))
    assert (crisis.area_kind, crisis.subdivisions) == ("countries", "MY-10")


def test_a_drawn_polygon_and_a_drawn_circle(hq: TestClient, db: Session) -> None:
    polygon = _declared(db, _post(hq, {**TYPED, "area_geojson": json.dumps(SQUARE)}))
    assert polygon.area_kind == "polygon"
    assert json.loads(polygon.area_geojson)["coordinates"][0][0] == [101.6, 3.0]
    circle = {"circle": {"lat": 3.14, "lon": 101.69, "radius_km": 25.5}}
    drawn = _declared(db, _post(hq, {**TYPED, "area_geojson": json.dumps(circle)}))
    assert (drawn.area_kind, drawn.radius_km, drawn.center_latitude) == ("circle", 25.5, 3.14)


def test_an_uploaded_geojson_file(hq: TestClient, db: Session) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "a"}, "geometry": SQUARE},
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [1, 2]},
            },
        ],
    }
    files = {"area_file": ("area.geojson", json.dumps(collection).encode(), "application/geo+json")}
    crisis = _declared(db, _post(hq, TYPED, files))
    assert crisis.area_kind == "polygon"
    assert json.loads(crisis.area_geojson)["type"] == "Polygon"


def test_an_uploaded_cap_alert_fills_what_was_left_empty(hq: TestClient, db: Session) -> None:
    document = (SAMPLES / "flood_polygon.xml").read_bytes()
    files = {"area_file": ("alert.xml", document, "application/xml")}
    crisis = _declared(db, _post(hq, {"severity": "extreme"}, files))
    assert crisis.title == "Flood warning: Klang and Shah Alam"
    assert (crisis.kind, crisis.severity, crisis.status) == ("flood", "extreme", "active")
    assert crisis.area_kind == "polygon"


def test_the_same_cap_file_twice_opens_the_crisis_it_made_as_the_api_does(
    hq: TestClient, db: Session
) -> None:
    document = (SAMPLES / "flood_polygon.xml").read_bytes()
    files = {"area_file": ("alert.xml", document, "application/xml")}
    first = _declared(db, _post(hq, {}, files))
    assert (first.cap_sender, first.cap_identifier) == (
        "warning@met.gov.my",
        "MetMalaysia-FLD-2026-1124-07",
    )
    again = _declared(db, _post(hq, {"title": "Banjir lagi", "severity": "minor"}, files))
    assert again.id == first.id and again.title == first.title
    headers = {"Content-Type": "application/cap+xml", "X-CSRF-Token": csrf(hq.get(NEW).text)}
    imported = hq.post("/api/v1/crises/cap", content=document, headers=headers)
    assert imported.status_code == 200, imported.text
    assert imported.json()["id"] == str(first.id)
    assert len(db.scalars(select(Crisis)).all()) == 1
    db.rollback()


def test_bad_input_is_shown_on_the_fields_in_english(hq: TestClient, db: Session) -> None:
    answer = _post(hq, {"title": "Gempa", "description": "Keep this text"})
    assert answer.status_code == 422
    assert 'id="declare-kind-error"' in answer.text
    assert "Choose the kind of crisis." in answer.text
    assert "Choose the area: pick countries or provinces" in answer.text
    assert 'value="Gempa"' in answer.text and "Keep this text</textarea>" in answer.text
    long = _post(hq, {**TYPED, "title": "Gempa " * 50, "countries": ["MY"]})
    assert long.status_code == 422
    assert "Shorten the title to 200 characters or fewer." in long.text
    unknown = _post(hq, {**TYPED, "countries": ["XQ"]})
    assert unknown.status_code == 422
    assert 'id="declare-countries-error"' in unknown.text
    crossing = {
        "type": "Polygon",
        "coordinates": [[[101.6, 3.0], [101.8, 3.2], [101.8, 3.0], [101.6, 3.2], [101.6, 3.0]]],
    }
    drawn = _post(hq, {**TYPED, "area_geojson": json.dumps(crossing)})
    assert drawn.status_code == 422
    assert 'id="declare-area_geojson-error"' in drawn.text
    assert "The polygon crosses itself" in drawn.text
    assert db.scalar(select(Crisis.id)) is None


def test_bad_files_are_refused_in_the_readers_language(hq: TestClient, db: Session) -> None:
    hq.cookies.set(LANGUAGE_COOKIE, "id")
    junk = {"area_file": ("area.geojson", b"not json at all", "application/geo+json")}
    answer = _post(hq, {**TYPED, "kind": ""}, junk)
    assert answer.status_code == 422
    assert 'id="declare-area_file-error"' in answer.text
    assert 'id="declare-kind-error"' in answer.text  # every problem at once
    assert "Berkas ini bukan GeoJSON dan bukan peringatan CAP." in answer.text
    assert 'value="Banjir Selangor"' in answer.text
    hq.cookies.set(LANGUAGE_COOKIE, "fr")
    xxe = {"area_file": ("alert.xml", (SAMPLES / "xxe.xml").read_bytes(), "application/xml")}
    refused = _post(hq, TYPED, xxe)
    assert refused.status_code == 422
    assert "Le document déclare une DTD" in refused.text
    assert db.scalar(select(Crisis.id)) is None


def test_an_officer_cannot_declare(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db, "officer@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    assert client.get(NEW).status_code == 403
    assert client.get("/officer/crises").text.count("/officer/crises/new") == 0


def test_a_supervisor_declares_for_their_own_post_only(client: TestClient, db: Session) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "en")
    signed_in_officer(client, db, "sup@example.org", Role.SUPERVISOR, "kbri-kuala-lumpur")
    page = client.get(NEW)
    assert "Your representation, KBRI Kuala Lumpur, is involved." in page.text
    assert 'name="posts"' not in page.text
    refused = _post(client, {**TYPED, "countries": ["MY"], "posts": ["kbri-seoul"]})
    assert refused.status_code == 403
    assert "You declare crises for your own representation only." in refused.text
    assert db.scalar(select(Crisis.id)) is None
    db.rollback()
    crisis = _declared(db, _post(client, {**TYPED, "countries": ["MY"]}))
    assert crisis.representation_codes == "kbri-kuala-lumpur"


def test_the_map_is_served_by_the_app_itself(hq: TestClient) -> None:
    page = hq.get(NEW).text
    assets = re.findall(r'(?:src|href)="(/static/[^"?]+)\?v=', page)
    for wanted in (
        "/static/vendor/leaflet-1.9.4/leaflet.js",
        "/static/vendor/leaflet-draw-1.0.4/leaflet.draw.js",
        "/static/crisis/declare-map.js",
        "/static/vendor/leaflet-1.9.4/leaflet.css",
    ):
        assert wanted in assets
    for asset in assets:
        assert hq.get(asset).status_code == 200, asset
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)  # nothing from elsewhere
    assert hq.get("/static/vendor/leaflet-draw-1.0.4/images/spritesheet.svg").status_code == 200
    url = re.search(r'data-countries="([^"]+)"', page)
    assert url is not None
    boundaries = hq.get(url.group(1).replace("&amp;", "&"))
    assert boundaries.status_code == 200
    assert boundaries.headers["content-type"] == "application/geo+json"
    assert "max-age" in boundaries.headers["cache-control"]
    features = {f["id"]: f for f in boundaries.json()["features"]}
    assert features["MY"]["geometry"]["type"] == "MultiPolygon"
    again = hq.get(url.group(1), headers={"If-None-Match": boundaries.headers["etag"]})
    assert again.status_code == 304


def test_the_boundaries_need_a_staff_session(client: TestClient) -> None:
    answer = client.get("/officer/crises/map/countries.geojson", follow_redirects=False)
    assert answer.status_code in (303, 302, 401)


def test_a_countrys_provinces_are_served_in_the_readers_language(hq: TestClient) -> None:
    answer = hq.get("/officer/crises/map/provinces/MY.geojson")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/geo+json"
    assert "max-age" in answer.headers["cache-control"]
    features = {f["id"]: f for f in answer.json()["features"]}
    assert features["MY-12"]["properties"] == {"country": "MY", "name": "Sabah"}
    assert features["MY-12"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert all(code.startswith("MY-") for code in features)
    again = hq.get(
        "/officer/crises/map/provinces/MY.geojson",
        headers={"If-None-Match": answer.headers["etag"]},
    )
    assert again.status_code == 304
    hq.cookies.set(LANGUAGE_COOKIE, "zh")
    chinese = hq.get("/officer/crises/map/provinces/my.geojson").json()
    names = {f["id"]: f["properties"]["name"] for f in chinese["features"]}
    assert names["MY-12"] == "沙巴"


def test_an_unknown_country_has_no_provinces_to_serve(hq: TestClient) -> None:
    answer = hq.get("/officer/crises/map/provinces/XX.geojson")
    assert answer.status_code == 404
    assert "No province boundaries are known" in answer.text


def test_the_provinces_need_a_staff_session(client: TestClient) -> None:
    answer = client.get("/officer/crises/map/provinces/MY.geojson", follow_redirects=False)
    assert answer.status_code in (303, 302, 401)


def test_the_provinces_need_a_role_that_declares(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db, "officer@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    answer = client.get("/officer/crises/map/provinces/MY.geojson", follow_redirects=False)
    assert answer.status_code == 403
