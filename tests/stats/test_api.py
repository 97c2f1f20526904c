"""GET /api/v1/stats/citizens: the breakdowns from the aggregates, post-scoped, year earlier."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from peduli.auth import tokens
from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.auth.models import StaffAccount
from peduli.core.db import get_engine, utcnow
from peduli.stats import repository, tally
from peduli.stats.models import CitizenStockMonth
from peduli.stats.month_ends import month_end
from peduli.stats.repository import Filters, year_before
from peduli.stats.tally import ALL
from tests.factories import KUALA_LUMPUR, nik
from tests.web.officer_support import reported

URL = "/api/v1/stats/citizens"


def _token(db: Session, role: Role, post: str | None) -> dict[str, str]:
    account = StaffAccount(
        email=f"{role}-{post}@kemlu.example", display_name=str(role), role=role.value,
        representation_code=post,
    )  # fmt: skip
    db.add(account)
    db.flush()
    issued = tokens.issue(db, account=account, days=1)
    db.commit()
    return {"Authorization": f"Bearer {issued.token}"}


def _population(db: Session) -> None:
    reported(db, "kbri-seoul")
    reported(
        db, "kbri-seoul", nik=nik(serial=2, sex="F", born=date(2000, 1, 2)), sex="F",
        date_of_birth=date(2000, 1, 2), passport_number="C2222222", phone="+821022222222",
        email="b@example.org", purpose="study", sector=None,
    )  # fmt: skip
    reported(
        db, "kbri-kuala-lumpur", nik=nik(serial=3), passport_number="C3333333",
        phone="+60122222222", email="c@example.org", **KUALA_LUMPUR,
    )  # fmt: skip
    tally.refresh(db, utcnow())
    db.commit()


def test_hq_reads_every_post_by_country_and_sector(client: TestClient, db: Session) -> None:
    _population(db)
    hq = _token(db, Role.HQ_ANALYST, None)
    by_country = client.get(URL, params={"by": "country"}, headers=hq).json()
    assert by_country["total"] == 3
    assert {r["key"]: r["count"] for r in by_country["rows"]} == {"KR": 2, "MY": 1}
    assert by_country["live"] is True
    # Reported today, arrived in March 2024: this month's flows hold the reports only.
    assert by_country["flows"]["arrival"] == 0
    assert by_country["flows"]["self_report"] + by_country["flows"]["arrival"] <= 3
    arrivals = client.get(
        URL, params={"from": "2024-03-01", "to": "2024-03-31"}, headers=hq
    ).json()["flows"]
    assert arrivals["arrival"] == 3 and arrivals["departure"] == 0
    sectors = client.get(URL, params={"by": "sector", "country": "KR"}, headers=hq).json()
    assert {r["key"]: r["count"] for r in sectors["rows"]} == {"manufacturing": 1, "": 1}
    ages = client.get(URL, params={"by": "age_band"}, headers=hq).json()
    assert sum(r["count"] for r in ages["rows"]) == 3
    assert {r["key"] for r in ages["rows"]} <= {"18-24", "25-34", "35-44"}


def test_labels_are_in_the_readers_language(client: TestClient, db: Session) -> None:
    _population(db)
    hq = _token(db, Role.HQ_ANALYST, None)
    rows = client.get(URL, params={"by": "country"}, headers={**hq, "Accept-Language": "fr"})
    names = {r["key"]: r["label"] for r in rows.json()["rows"]}
    assert names["KR"] != "KR" and names["MY"] == "Malaisie"


def test_a_post_reads_its_own_figures_only(client: TestClient, db: Session) -> None:
    _population(db)
    seoul = _token(db, Role.OFFICER, "kbri-seoul")
    own = client.get(URL, params={"by": "representation"}, headers=seoul).json()
    assert [(r["key"], r["count"]) for r in own["rows"]] == [("kbri-seoul", 2)]
    other = client.get(URL, params={"representation": "kbri-kuala-lumpur"}, headers=seoul)
    assert other.status_code == 403


def test_the_year_earlier_figure_comes_from_the_month_end_kept(
    client: TestClient, db: Session
) -> None:
    _population(db)
    today = utcnow().date()
    a_year_ago = month_end(year_before(today))
    for country, post in (("KR", "kbri-seoul"), ("KR", ALL), (ALL, "kbri-seoul"), (ALL, ALL)):
        db.add(
            CitizenStockMonth(
                month=a_year_ago, dimension="sex", value="M", country=country,
                representation_code=post, n=7,
            )
        )  # fmt: skip
    db.commit()
    hq = _token(db, Role.HQ_ANALYST, None)
    answer = client.get(URL, params={"by": "country", "to": today.isoformat()}, headers=hq).json()
    assert answer["year_earlier_as_of"] == a_year_ago.isoformat()
    assert answer["year_earlier_total"] == 7
    assert {r["key"]: r["year_earlier"] for r in answer["rows"]} == {"KR": 7, "MY": 0}
    last_year = client.get(
        URL, params={"to": (a_year_ago - timedelta(days=40)).isoformat()}, headers=hq
    ).json()
    assert last_year["live"] is False and last_year["total"] == 0


def test_bad_filters_answer_problem_json(client: TestClient, db: Session) -> None:
    hq = _token(db, Role.HQ_ANALYST, None)
    answer = client.get(URL, params={"from": "2026-05-01", "to": "2026-04-01"}, headers=hq)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert client.get(URL, params={"by": "shoe_size"}, headers=hq).status_code == 422
    assert client.get(URL).status_code == 401


def test_the_figures_are_read_from_the_replica_when_there_is_one(
    client: TestClient, db: Session, empty_replica: None
) -> None:
    _population(db)  # on the primary only
    hq = _token(db, Role.HQ_ANALYST, None)  # the token is checked on the primary
    answer = client.get(URL, params={"by": "country"}, headers=hq)
    assert answer.status_code == 200
    assert answer.json()["total"] == 0, "the empty replica's figures, not the primary's"


def test_a_request_for_the_figures_takes_one_thread_hop_one_connection_one_read(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller's look-up, both sessions and the read share one worker thread: each hop
    more waits for the GIL on a busy server (the p99 of docs/performance.md, issue 17)."""
    _population(db)
    hq = _token(db, Role.HQ_ANALYST, None)
    hops: list[object] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(function: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(function)
        return await run_sync(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    checkouts: list[object] = []
    reads: list[str] = []

    def checked_out(*_: object) -> None:
        checkouts.append(1)

    def sent(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        reads.append(statement)

    event.listen(get_engine(), "checkout", checked_out)
    event.listen(get_engine(), "before_cursor_execute", sent)
    try:
        assert client.get(URL, params={"by": "sex"}, headers=hq).status_code == 200
    finally:
        event.remove(get_engine(), "checkout", checked_out)
        event.remove(get_engine(), "before_cursor_execute", sent)
    assert len(hops) == 1
    assert len(checkouts) == 1  # no replica: the figures are read on the caller's connection
    [flows] = [s for s in reads if "stats_citizen_flow_day" in s]
    assert "stats_citizen_stock" in flows  # the stock and the flows in one round trip
    agency = _token(db, Role.AGENCY, None)  # an agency's token has no stats:read
    denied = client.get(URL, headers=agency)
    assert denied.status_code == 403
    assert denied.json()["code"] == "insufficient_scope"
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "api.scope_missing"))


def test_the_flows_read_alone_are_those_read_with_the_breakdown(db: Session) -> None:
    """The dashboard reads the flows on their own, the API with the stock: the same figures."""
    _population(db)
    march = Filters(date(2024, 3, 1), date(2024, 3, 31), None, None)
    _breakdown, together = repository.citizens_and_flows(
        db, by="sex", filters=march, today=utcnow().date()
    )
    alone = repository.flow_totals_and_year_earlier(db, filters=march)
    assert alone == together and alone[0]["arrival"] == 3  # all three arrived in March 2024
