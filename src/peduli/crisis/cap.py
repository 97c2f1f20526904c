"""CAP 1.2 (OASIS Common Alerting Protocol): read an alert into a crisis draft, write one out.

Reading goes through ``defusedxml`` with DTDs forbidden: no external entity can be fetched
and no entity can expand (billion laughs), whatever the document declares. Every ``<info>``
and ``<area>`` block is read; ``<polygon>`` ("lat,lon lat,lon …", closed) and ``<circle>``
("lat,lon radius_km") shapes are united into one area; without shapes, ISO 3166 geocodes
become countries and subdivisions. A circle of radius 0 is a point (CAP 1.2, 3.2.4): it adds
nothing to an area described otherwise, and alone it becomes a point area.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from shapely import unary_union
from shapely.geometry import MultiPolygon, Polygon, mapping

from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.crisis.area import Area, circle_polygon, parse_area
from peduli.crisis.models import Crisis, CrisisKind, Severity

NS = "urn:oasis:names:tc:emergency:cap:1.2"
MAX_BYTES = 1_000_000
_N = {"cap": NS}

SEVERITIES = {
    "Extreme": Severity.EXTREME,
    "Severe": Severity.SEVERE,
    "Moderate": Severity.MODERATE,
    "Minor": Severity.MINOR,
    "Unknown": Severity.MODERATE,
}
# Words in <event> (English, Indonesian, French) that name a kind, checked in this order.
KIND_WORDS: tuple[tuple[CrisisKind, tuple[str, ...]], ...] = (
    (CrisisKind.TSUNAMI, ("tsunami",)),
    (CrisisKind.EARTHQUAKE, ("earthquake", "gempa", "séisme", "seisme", "quake")),
    (CrisisKind.VOLCANO, ("volcan", "erupsi", "gunung api", "gunungapi")),
    (CrisisKind.FLOOD, ("flood", "banjir", "inondation", "crue")),
    (CrisisKind.STORM, ("storm", "cyclone", "typhoon", "hurricane", "badai", "tempête", "siklon")),
    (CrisisKind.EPIDEMIC, ("epidemic", "outbreak", "wabah", "épidémie", "pandemic")),
    (CrisisKind.CIVIL_UNREST, ("unrest", "riot", "kerusuhan", "émeute", "demonstration")),
    (CrisisKind.CONFLICT, ("conflict", "war", "armed", "konflik", "perang", "guerre")),
)
CATEGORY_KINDS = {"Health": CrisisKind.EPIDEMIC, "Security": CrisisKind.CONFLICT}
KIND_CATEGORIES = {
    CrisisKind.EARTHQUAKE: "Geo",
    CrisisKind.TSUNAMI: "Geo",
    CrisisKind.VOLCANO: "Geo",
    CrisisKind.FLOOD: "Met",
    CrisisKind.STORM: "Met",
    CrisisKind.EPIDEMIC: "Health",
    CrisisKind.CONFLICT: "Security",
    CrisisKind.CIVIL_UNREST: "Safety",
    CrisisKind.SCAM_COMPOUND_RAID: "Security",
    CrisisKind.OTHER: "Other",
}


@dataclass(frozen=True)
class CapDraft:
    """What an alert says, ready to become a draft crisis."""

    identifier: str
    sender: str
    sent: datetime | None
    title: str
    description: str | None
    kind: CrisisKind
    severity: Severity
    area: Area


def _bad(code: str, message: str, hint: str = "", where: str = "body") -> ValidationFailed:
    return ValidationFailed(
        [FieldProblem(field=where, code=code, message=message, hint=hint)],
        detail=_("The CAP alert cannot be used: {message}").format(message=message),
    )


def _root(document: bytes) -> Any:
    if len(document) > MAX_BYTES:
        raise _bad("too_large", _("The document is larger than 1 MB."))
    try:
        return SafeET.fromstring(document, forbid_dtd=True)
    except DefusedXmlException as error:
        raise _bad(
            "xml_forbidden",
            _("The document declares a DTD or entities, which are refused for safety."),
            _("Send the CAP alert without a DOCTYPE ({kind}).").format(kind=type(error).__name__),
        ) from error
    except SafeET.ParseError as error:
        raise _bad(
            "xml_malformed",
            _("The document is not well-formed XML ({error}).").format(error=str(error)[:200]),
        ) from error


def _text(element: Any, name: str) -> str | None:
    found = element.find(f"cap:{name}", _N)
    if found is None or found.text is None:
        return None
    return str(found.text).strip() or None


def _pair(raw: str, where: str) -> tuple[float, float]:
    try:
        lat_text, lon_text = raw.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError as error:
        raise _bad(
            "coordinate_invalid",
            _("'{raw}' is not 'latitude,longitude'.").format(raw=raw[:40]),
            where=where,
        ) from error
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _bad(
            "coordinate_invalid",
            _("'{raw}' lies outside the globe.").format(raw=raw[:40]),
            where=where,
        )
    return lat, lon


def _polygon(raw: str, where: str) -> Polygon:
    points = [_pair(p, where) for p in raw.split()]
    if len(points) < 4 or points[0] != points[-1]:
        raise _bad(
            "polygon_invalid",
            _("A CAP polygon needs at least four points, the last repeating the first."),
            where=where,
        )
    polygon = Polygon([(lon, lat) for lat, lon in points])
    if not polygon.is_valid or polygon.area <= 0:
        raise _bad("polygon_invalid", _("The polygon crosses itself or has no area."), where=where)
    return polygon


def _circle(raw: str, where: str) -> tuple[float, float, float]:
    try:
        centre, radius_text = raw.split()
        radius = float(radius_text)
    except ValueError as error:
        raise _bad(
            "circle_invalid", _("A CAP circle is 'latitude,longitude radius_km'."), where=where
        ) from error
    lat, lon = _pair(centre, where)
    if not 0 <= radius <= 2000:
        raise _bad(
            "circle_invalid", _("The circle's radius must be between 0 and 2000 km."), where=where
        )
    return lat, lon, radius


def _kind(event: str, category: str | None) -> CrisisKind:
    lowered = event.lower()
    for kind, words in KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    return CATEGORY_KINDS.get(category or "", CrisisKind.OTHER)


def _parse_time(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).astimezone(UTC)
    except ValueError:
        return None


def parse(document: bytes) -> CapDraft:
    """Read a CAP 1.2 alert; any problem is a ``ValidationFailed`` saying what is wrong."""
    root = _root(document)
    if root.tag != f"{{{NS}}}alert":
        raise _bad(
            "not_cap",
            _("The root element is not a CAP 1.2 <alert>."),
            _('The root must be <alert xmlns="{ns}">.').format(ns=NS),
        )
    infos = root.findall("cap:info", _N)
    if not infos:
        raise _bad("no_info", _("The alert has no <info> block."))
    # The first info in English if there is one, else the first: it names the crisis.
    main = next((i for i in infos if (_text(i, "language") or "").startswith("en")), infos[0])
    shapes: list[Polygon] = []
    circles: list[tuple[float, float, float]] = []
    countries: list[str] = []
    subdivisions: list[str] = []
    for i, info in enumerate(infos):
        for a, area in enumerate(info.findall("cap:area", _N)):
            where = f"info[{i}].area[{a}]"
            for p in area.findall("cap:polygon", _N):
                shapes.append(_polygon(p.text or "", f"{where}.polygon"))
            for c in area.findall("cap:circle", _N):
                circles.append(_circle(c.text or "", f"{where}.circle"))
            for geocode in area.findall("cap:geocode", _N):
                name = (_text(geocode, "valueName") or "").upper()
                value = (_text(geocode, "value") or "").upper()
                if name in ("ISO3166-1", "ISO 3166-1") and value:
                    countries.append(value)
                elif name in ("ISO3166-2", "ISO 3166-2") and value:
                    subdivisions.append(value)
    return CapDraft(
        identifier=_text(root, "identifier") or "",
        sender=_text(root, "sender") or "",
        sent=_parse_time(_text(root, "sent")),
        title=(_text(main, "headline") or _text(main, "event") or _("CAP alert"))[:200],
        description=_text(main, "description"),
        kind=_kind(_text(main, "event") or "", _text(main, "category")),
        severity=SEVERITIES.get(_text(main, "severity") or "", Severity.MODERATE),
        area=_area(shapes, circles, countries, subdivisions),
    )


def _area(
    shapes: list[Polygon],
    circles: list[tuple[float, float, float]],
    countries: list[str],
    subdivisions: list[str],
) -> Area:
    # Each <info> usually repeats the same area in another language: count it once.
    circles = list(dict.fromkeys(circles))
    points = [c for c in circles if c[2] == 0]
    circles = [c for c in circles if c[2] > 0]
    if points and not (circles or shapes or countries or subdivisions):
        lat, lon, _radius = points[0]
        return parse_area({"circle": {"lat": lat, "lon": lon, "radius_km": 0}})
    if len(circles) == 1 and not shapes:
        lat, lon, radius = circles[0]
        return parse_area({"circle": {"lat": lat, "lon": lon, "radius_km": radius}})
    shapes = shapes + [circle_polygon(lat, lon, radius) for lat, lon, radius in circles]
    if shapes:
        union = unary_union(shapes)
        parts = [union] if isinstance(union, Polygon) else list(getattr(union, "geoms", []))
        geometry = parts[0] if len(parts) == 1 else MultiPolygon(parts)
        return parse_area(_lists(mapping(geometry)))
    if countries or subdivisions:
        return parse_area({"countries": countries, "subdivisions": subdivisions})
    raise _bad(
        "no_area",
        _("No <area> has a <polygon>, a <circle> or an ISO 3166 <geocode>."),
        where="info.area",
    )


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


CAP_SEVERITY = {v: k for k, v in SEVERITIES.items() if k != "Unknown"}


def export(crisis: Crisis, area: Area, *, sender: str) -> bytes:
    """The crisis as a CAP 1.2 alert with one <info> (English) and one <area>."""
    ET.register_namespace("", NS)
    alert = ET.Element(f"{{{NS}}}alert")

    def add(parent: ET.Element, name: str, text: str) -> ET.Element:
        child = ET.SubElement(parent, f"{{{NS}}}{name}")
        child.text = text
        return child

    add(alert, "identifier", crisis.cap_identifier or f"peduli-crisis-{crisis.id}")
    add(alert, "sender", crisis.cap_sender or sender)
    add(alert, "sent", crisis.started_at.astimezone(UTC).isoformat(timespec="seconds"))
    add(alert, "status", "Actual")
    add(alert, "msgType", "Alert")
    add(alert, "scope", "Public")
    info = add(alert, "info", "")
    info.text = None
    add(info, "language", "en-US")
    add(info, "category", KIND_CATEGORIES.get(CrisisKind(crisis.kind), "Other"))
    add(info, "event", crisis.kind.replace("_", " "))
    add(info, "urgency", "Immediate")
    add(info, "severity", CAP_SEVERITY.get(Severity(crisis.severity), "Unknown"))
    add(info, "certainty", "Observed")
    add(info, "headline", crisis.title)
    if crisis.description:
        add(info, "description", crisis.description)
    block = ET.SubElement(info, f"{{{NS}}}area")
    add(block, "areaDesc", crisis.title)
    _export_area(block, area, add)
    body: bytes = ET.tostring(alert, encoding="utf-8", xml_declaration=True)
    return body


def _export_area(block: ET.Element, area: Area, add: Any) -> None:
    if area.kind == "circle" and area.center and area.radius_km is not None:
        lat, lon = area.center
        add(block, "circle", f"{lat:.6f},{lon:.6f} {area.radius_km:g}")
    elif area.geometry is not None:
        polygons = [area.geometry] if isinstance(area.geometry, Polygon) else area.geometry.geoms
        for polygon in polygons:
            # CAP polygons have no holes: the outer ring is what CAP can say.
            add(block, "polygon", " ".join(f"{y:.6f},{x:.6f}" for x, y in polygon.exterior.coords))
    for code, name in [(c, "ISO3166-1") for c in area.countries] + [
        (s, "ISO3166-2") for s in area.subdivisions
    ]:
        geocode = ET.SubElement(block, f"{{{NS}}}geocode")
        add(geocode, "valueName", name)
        add(geocode, "value", code)
