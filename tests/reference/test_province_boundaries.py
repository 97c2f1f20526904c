"""The province boundaries shipped for the crisis map: Natural Earth admin-1 features keyed
by the ISO 3166-2 codes the declare page offers (reference.geo.province_features)."""

from __future__ import annotations

import shapely
from shapely.geometry import shape

from peduli.reference import countries, places
from peduli.reference.geo import province_features

# Provinces the declare page offers in countries with a post, that the boundaries leave out:
# subdivisions newer than Natural Earth 4.1.0 (Indonesia's Papua provinces of 2022,
# Kalimantan Utara, Telangana, Ladakh), overseas and special territories drawn as separate
# countries (US-PR, CN-HK, FR-NC...), and levels Natural Earth draws differently (Kenya's
# counties, some Ukrainian names in forms no pycountry name matches: "Kiev", "Crimea").
WITHOUT_BOUNDARY = {
    "AR": {"AR-C"},
    "AZ": {"AZ-GYG", "AZ-LA", "AZ-LAC", "AZ-LAN", "AZ-NA", "AZ-SA", "AZ-SAK", "AZ-SBN",
           "AZ-SR", "AZ-YE", "AZ-YEV"},
    "BA": {"BA-BIH", "BA-SRP"},
    "BD": {"BD-A", "BD-B", "BD-H"},
    "BE": {"BE-BRU"},
    "BG": {"BG-22"},
    "BH": {"BH-13"},
    "CI": {"CI-AB", "CI-GD", "CI-MG", "CI-SM", "CI-WR", "CI-YM"},
    "CL": {"CL-MA", "CL-NB"},
    "CN": {"CN-HK", "CN-MO", "CN-TW"},
    "CZ": {"CZ-10"},
    "DK": {"DK-85"},
    "DZ": {"DZ-11", "DZ-49", "DZ-50", "DZ-51", "DZ-52", "DZ-53", "DZ-54", "DZ-55", "DZ-56",
           "DZ-57", "DZ-58"},
    "EC": {"EC-N", "EC-T"},
    "ET": {"ET-AM", "ET-OR", "ET-SI", "ET-SW", "ET-TI"},
    "FI": {"FI-01", "FI-03", "FI-06", "FI-07", "FI-08", "FI-14", "FI-15"},
    "FR": {"FR-BL", "FR-CP", "FR-MF", "FR-NC", "FR-PF", "FR-PM", "FR-TF", "FR-WF"},
    "GR": {"GR-69", "GR-F"},
    "HR": {"HR-11"},
    "HU": {"HU-CS", "HU-DU", "HU-VE", "HU-VM"},
    "ID": {"ID-KU", "ID-PD", "ID-PE", "ID-PS", "ID-PT"},
    "IN": {"IN-LA", "IN-TS"},
    "IR": {"IR-09", "IR-14", "IR-17", "IR-28", "IR-29"},
    "IT": {"IT-23"},
    "KE": {f"KE-{n:02d}" for n in range(1, 48) if n != 30},
    "KH": {"KH-1", "KH-15", "KH-16", "KH-18", "KH-19", "KH-2", "KH-21", "KH-23", "KH-25",
           "KH-3", "KH-5", "KH-8"},
    "KP": {"KP-01", "KP-02", "KP-03", "KP-04", "KP-05", "KP-06", "KP-07", "KP-08", "KP-09",
           "KP-10", "KP-13", "KP-14", "KP-15"},
    "KZ": {"KZ-10", "KZ-15", "KZ-19", "KZ-33", "KZ-47", "KZ-59", "KZ-61", "KZ-62", "KZ-79"},
    "LA": {"LA-VI", "LA-VT", "LA-XS"},
    "LB": {"LB-AK", "LB-AS", "LB-BH"},
    "LY": {"LY-JG", "LY-JI", "LY-NL", "LY-TB", "LY-WA", "LY-WD", "LY-WS"},
    "MA": {f"MA-{n:02d}" for n in range(1, 12)},
    "MM": {"MM-18"},
    "MX": {"MX-CMX", "MX-VER"},
    "MZ": {"MZ-L", "MZ-MPM"},
    "NA": {"NA-CA", "NA-KE", "NA-KW"},
    "NG": {"NG-FC", "NG-NA"},
    "NL": {"NL-AW", "NL-CW", "NL-SX"},
    "NO": {"NO-22", "NO-30", "NO-34", "NO-38", "NO-42", "NO-46", "NO-50", "NO-54"},
    "PA": {"PA-10", "PA-KY", "PA-NB", "PA-NT"},
    "PE": {"PE-CAL", "PE-LMA"},
    "PG": {"PG-HLA", "PG-JWK"},
    "PH": {"PH-00"},
    "QA": {"QA-SH"},
    "RS": {"RS-KM"},
    "RU": {"RU-AD", "RU-AL", "RU-BA", "RU-BU", "RU-DA", "RU-IN", "RU-KAM", "RU-KK", "RU-KL",
           "RU-KO", "RU-KR", "RU-ME", "RU-MO", "RU-SA", "RU-SE", "RU-TY"},
    "SD": {"SD-DC", "SD-DE", "SD-GD", "SD-GK", "SD-KN", "SD-KS"},
    "SN": {"SN-KA", "SN-KE", "SN-SE", "SN-SL"},
    "TH": {"TH-S"},
    "TL": {"TL-OE"},
    "TN": {"TN-12", "TN-13", "TN-14", "TN-43"},
    "TW": {"TW-LIE"},
    "TZ": {"TZ-11", "TZ-27", "TZ-28", "TZ-29", "TZ-30", "TZ-31"},
    "UA": {"UA-21", "UA-30", "UA-32", "UA-40", "UA-43", "UA-48"},
    "US": {"US-AS", "US-GU", "US-MP", "US-PR", "US-UM", "US-VI"},
    "UZ": {"UZ-BU", "UZ-FA", "UZ-QR", "UZ-SU", "UZ-TK", "UZ-TO", "UZ-XO"},
    "VE": {"VE-X"},
}  # fmt: skip


def test_every_feature_is_an_offered_province_with_its_name_and_a_valid_shape() -> None:
    drawn = 0
    for alpha2 in sorted(countries.country_codes()):
        features = province_features(alpha2) or []
        drawn += len(features)
        offered = dict(countries.subdivision_choices(alpha2, "en"))
        codes = [f["id"] for f in features]
        assert len(codes) == len(set(codes)), alpha2
        for feature in features:
            code = feature["id"]
            assert code in offered, code
            assert feature["properties"] == {"country": alpha2, "name": offered[code]}
            geometry = shape(feature["geometry"])
            assert geometry.geom_type in ("Polygon", "MultiPolygon"), code
            assert geometry.is_valid and not geometry.is_empty, code
    assert drawn > 3000  # Natural Earth's 4,556 features, merged into offered provinces


def test_every_province_offered_where_a_post_sits_has_a_boundary_or_is_listed() -> None:
    hosts = {r.country for r in places.directory().all()}
    for alpha2 in sorted(hosts):
        drawn = {f["id"] for f in province_features(alpha2) or []}
        offered = {code for code, _name in countries.subdivision_choices(alpha2, "en")}
        assert offered - drawn == WITHOUT_BOUNDARY.get(alpha2, set()), alpha2


def test_cities_lie_in_their_province() -> None:
    # Inland cities: the coast is simplified to about a kilometre.
    cities = [
        ("MY-12", 116.1620, 5.3370),  # Keningau, Sabah
        ("MY-01", 103.3187, 2.0301),  # Kluang, Johor
        ("SA-02", 39.8262, 21.4225),  # Makkah
        ("JP-27", 135.5023, 34.6937),  # Osaka
        ("KR-26", 129.0756, 35.1796),  # Busan
        ("US-WA", -120.5059, 46.6021),  # Yakima, not the District of Columbia
        ("TW-TPE", 121.5654, 25.0330),  # Taipei
        ("FR-IDF", 2.3522, 48.8566),  # Paris: départements merged into their region
    ]
    for code, lon, lat in cities:
        features = {f["id"]: f for f in province_features(code[:2]) or []}
        assert shape(features[code]["geometry"]).contains(shapely.Point(lon, lat)), code


def test_an_unknown_country_has_no_provinces() -> None:
    assert province_features("XX") is None
    assert province_features("my") == province_features("MY")
