"""The dashboard: map, charts and tables from the aggregates; downloads; a post's own figures."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.core.db import utcnow
from peduli.stats import tally
from tests.factories import KUALA_LUMPUR, nik
from tests.web.officer_support import reported, signed_in_officer


def _population(db: Session) -> None:
    reported(db, "kbri-seoul")
    reported(
        db, "kbri-kuala-lumpur", nik=nik(serial=3), passport_number="C3333333",
        phone="+60122222222", email="c@example.org", sector="plantation", **KUALA_LUMPUR,
    )  # fmt: skip
    tally.refresh(db, utcnow())
    db.commit()


def test_hq_sees_the_map_charts_and_tables(client: TestClient, db: Session) -> None:
    _population(db)
    signed_in_officer(client, db, "analyst@example.org", Role.HQ_ANALYST, None)
    page = client.get("/hq/stats?lang=en")
    assert page.status_code == 200
    html = page.text
    assert 'class="stats-map"' in html and "<script" not in html.split("<main")[-1]
    assert "South Korea: 1" in html and "Malaysia: 1" in html, "each country titled with its count"
    assert 'class="shade-1"' in html
    assert "Plantation" in html and "Manufacturing" in html
    assert "KBRI Seoul" in html and "KBRI Kuala Lumpur" in html
    assert "/hq/stats/download?chart=country&amp;format=csv" in html
    assert "The last twelve months" in html and "/hq/stats?from=" in html


def test_every_value_reads_in_the_readers_language(client: TestClient, db: Session) -> None:
    _population(db)
    signed_in_officer(client, db, "analyst@example.org", Role.HQ_ANALYST, None)
    html = client.get("/hq/stats?lang=fr").text
    assert "Malaisie" in html
    assert "Plantation" in html  # the same word in French; the sector's label
    assert "Arrivals" not in html and "Departures" not in html


def test_a_post_sees_its_own_figures(client: TestClient, db: Session) -> None:
    _population(db)
    signed_in_officer(client, db)  # an officer of KBRI Seoul
    html = client.get("/hq/stats?lang=en").text
    assert "South Korea: 1" in html and "Malaysia: 0" in html
    refused = client.get("/hq/stats?lang=en&representation=kbri-kuala-lumpur")
    assert "Malaysia: 0" in refused.text, "an officer's post filter is ignored, not widened"


def test_each_chart_downloads_as_csv_and_xlsx(client: TestClient, db: Session) -> None:
    _population(db)
    signed_in_officer(client, db, "analyst@example.org", Role.HQ_ANALYST, None)
    csv = client.get(
        "/hq/stats/download", params={"chart": "sector", "format": "csv", "lang": "en"}
    )
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert (
        lines[0].startswith("Code (machine-readable),")
        and "manufacturing,Manufacturing,1," in lines
    )
    xlsx = client.get("/hq/stats/download", params={"chart": "country", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert {row[0]: row[2] for row in rows[1:]} == {"KR": 1, "MY": 1}
    flows = client.get("/hq/stats/download", params={"chart": "flows"})
    assert flows.status_code == 200 and len(flows.content.decode("utf-8-sig").splitlines()) >= 2


def test_a_bad_date_is_shown_next_to_its_field(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db, "analyst@example.org", Role.HQ_ANALYST, None)
    page = client.get("/hq/stats?from=yesterday")
    assert page.status_code == 422
    assert 'value="yesterday"' in page.text and 'aria-invalid="true"' in page.text


def test_open_cases_show_by_category_priority_and_sla(client: TestClient, db: Session) -> None:
    from tests.cases.pages.staff.conftest import opened_case

    opened_case(db)
    signed_in_officer(client, db, "analyst@example.org", Role.HQ_ANALYST, None)
    html = client.get("/hq/stats?lang=en").text
    section = html.split('id="cases-title"', 1)[1].split("</section>", 1)[0]
    assert "No case is open." not in section
    assert "Overdue" in section and "On time" in section
    kuala_lumpur = client.get("/hq/stats?lang=en&representation=kbri-kuala-lumpur").text
    assert "No case is open." in kuala_lumpur.split('id="cases-title"', 1)[1]


def test_services_figures_follow_the_period_the_country_and_the_post(
    client: TestClient, db: Session
) -> None:
    from peduli.services import catalogue
    from tests.services.conftest import citizen_of, renewal

    catalogue.load_shipped(db)
    renewal(db, citizen_of(db))  # at KBRI Seoul, today
    db.commit()
    signed_in_officer(client, db, "analyst@example.org", Role.HQ_ANALYST, None)

    def services(query: str) -> str:
        html = client.get(f"/hq/stats?lang=en{query}").text
        return html.split('id="services-title"', 1)[1].split("</section>", 1)[0]

    assert "Passport renewal</th>\n    <td>1 <span" in services("")
    gone = "No application was received or completed in the period"
    assert gone not in services("&country=KR")
    assert gone in services("&country=MY"), "Seoul's application is not Malaysia's"
    assert gone in services("&representation=kbri-kuala-lumpur")
    last_year = utcnow().date().replace(year=utcnow().year - 1).isoformat()
    earlier = services(f"&from={last_year}&to={last_year}")
    assert "Passport renewal</th>\n    <td>0 <span" in earlier, "open now, none received then"


def test_the_dashboard_reads_the_replica_when_there_is_one(
    client: TestClient, db: Session, empty_replica: None
) -> None:
    _population(db)  # on the primary only
    signed_in_officer(client, db, "analyst@example.org", Role.HQ_ANALYST, None)
    page = client.get("/hq/stats?lang=en")
    assert page.status_code == 200
    assert "South Korea: 0" in page.text and "Malaysia: 0" in page.text
    csv = client.get("/hq/stats/download", params={"chart": "country", "format": "csv"})
    assert len(csv.content.decode("utf-8-sig").splitlines()) == 1, "the header only"
