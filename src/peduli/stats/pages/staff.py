"""The statistics dashboard (``/hq/stats``): citizens abroad on a world map, by every
dimension as bar charts, the daily flows as lines, each chart with its table and its CSV and
XLSX download. HQ sees every post (or one); a post's staff see their own post."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from peduli.api.deps import DbSession, LaggingReadDb, staff_page
from peduli.auth.roles import NATIONAL_STATS_READERS, STATS_READERS
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, PeduliError
from peduli.stats import charts, files, labels, repository, service, world_map
from peduli.stats.service import Asked, Dashboard
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import run_form
from peduli.web.i18n import negotiate

router = APIRouter(include_in_schema=False, dependencies=[staff_page(STATS_READERS)])

DASHBOARD = "/hq/stats"
DOWNLOAD = "/hq/stats/download"
Text = Annotated[str, Query(max_length=64)]
Chart = Literal[
    "country", "representation", "purpose", "sector", "sex", "age_band", "province", "flows"
]


def _filters(
    staff: SignedIn, date_from: str, date_to: str, country: str, representation: str
) -> tuple[Asked, dict[str, FieldProblem]]:
    start, bad_start = desk.parse_day(date_from)
    end, bad_end = desk.parse_day(date_to)
    problems = {
        name: FieldProblem(name, "form.date_parsing", "")
        for name, bad in (("from", bad_start), ("to", bad_end))
        if bad
    }
    national = staff.role in NATIONAL_STATS_READERS
    return Asked(
        start,
        end,
        country.strip().upper() or None,
        (representation.strip() or None) if national else None,
    ), problems


def _read(db: DbSession, counts: LaggingReadDb, staff: SignedIn, wanted: Asked) -> Dashboard:
    return service.read_dashboard(
        db, actor=staff, asked=wanted, today=utcnow().date(), counts=counts
    )


@router.get(DASHBOARD, response_class=HTMLResponse)
def dashboard(
    request: Request,
    db: DbSession,
    counts: LaggingReadDb,
    staff: SignedIn,
    date_from: Annotated[str, Query(alias="from", max_length=40)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=40)] = "",
    country: Text = "",
    representation: Text = "",
) -> Response:
    """Citizens abroad, the backlog and the flows for a period, country and post."""
    language = negotiate(request)
    national = staff.role in NATIONAL_STATS_READERS
    wanted, problems = _filters(staff, date_from, date_to, country, representation)
    params = {
        "from": date_from.strip(),
        "to": date_to.strip(),
        "country": country.strip(),
        "representation": wanted.representation or "",
    }

    def shown(
        figures: Dashboard | None,
        problems: dict[str, FieldProblem],
        failure: PeduliError | None = None,
    ) -> HTMLResponse:
        context: dict[str, object] = {
            "figures": figures,
            "problems": problems,
            "failure": failure,
            "params": params,
            "national": national,
            "own_post": None if national else staff.representation_code,
            "posts": desk.representation_choices() if national else [],
            "countries": _country_choices(language),
            "download": desk.url_with(DOWNLOAD, params),
            "presets": _presets(),
            "period_url": lambda start, end: desk.url_with(DASHBOARD, params)(
                **{"from": start.isoformat(), "to": end.isoformat()}
            ),
        }
        if figures is not None:
            context |= _drawn(figures, language)
        return desk.page(
            request,
            "stats/dashboard.html",
            staff,
            context,
            status_code=422 if problems or failure else 200,
        )

    if problems:
        return shown(None, problems)
    return run_form(
        db,
        lambda: _read(db, counts, staff, wanted),
        done=lambda figures: shown(figures, {}),
        refused=lambda refusal: shown(None, refusal.problems, refusal.failure),
        refuses=lambda error: error.status != 403,
    )


def _presets() -> list[tuple[str, date, date]]:
    today = utcnow().date()
    return [
        ("month", today.replace(day=1), today),
        ("year", date(today.year, 1, 1), today),
        ("twelve_months", today - timedelta(days=364), today),
    ]


def _country_choices(language: str) -> list[tuple[str, str]]:
    codes = world_map.country_paths()
    return sorted(
        ((code, labels.label("country", code, language)) for code in codes), key=lambda c: c[1]
    )


def _drawn(figures: Dashboard, language: str) -> dict[str, object]:
    """The map, the charts and their tables, in the reader's language."""
    by_country = figures.breakdowns["country"].counts
    tables = {by: files.breakdown_table(b, language) for by, b in figures.breakdowns.items()}
    flow_names = {kind: labels.flow_name(kind, language) for kind in figures.series}
    return {
        "map_countries": world_map.countries(by_country),
        "map_legend": world_map.legend(by_country),
        "map_viewbox": world_map.VIEWBOX,
        "tables": tables,
        "bar_charts": {
            by: charts.bars([(row[1], row[2], row[3]) for row in table.rows])
            for by, table in tables.items()
        },
        "by_names": {by: labels.dimension_name(by, language) for by in repository.BY},
        "flow_names": flow_names,
        "flow_chart": charts.lines(figures.series, flow_names),
        "flow_table": files.flows_table(figures.series, language),
        "label": lambda by, key: labels.label(by, key, language),
        **_case_tables(figures, language),
        "outcomes": figures.outcomes.total,
        "services": [
            (
                figures.service_names[row.service_code].get(language)
                if row.service_code in figures.service_names
                else row.service_code,
                row,
            )
            for row in figures.services
        ],
    }


SLA_ORDER = ("overdue", "due_soon", "on_time")


def _case_tables(figures: Dashboard, language: str) -> dict[str, object]:
    """Open cases per category and per priority, each split by SLA state."""
    tables: dict[str, dict[str, dict[str, int]]] = {"category": {}, "priority": {}}
    for row in figures.cases:
        for kind, key in (("category", row.category), ("priority", row.priority)):
            cells = tables[kind].setdefault(key, dict.fromkeys(SLA_ORDER, 0))
            cells[row.sla] += row.count
    priority_order = list(labels.PRIORITIES)
    return {
        "sla_names": [labels.case_label("sla", state, language) for state in SLA_ORDER],
        "sla_order": SLA_ORDER,
        "case_tables": {
            kind: [
                (labels.case_label(kind, key, language), cells)
                for key, cells in sorted(
                    rows.items(),
                    key=lambda item: (
                        priority_order.index(item[0])
                        if kind == "priority" and item[0] in priority_order
                        else 0,
                        -sum(item[1].values()),
                    ),
                )
            ]
            for kind, rows in tables.items()
        },
    }


@router.get(DOWNLOAD)
def download(
    request: Request,
    db: DbSession,
    counts: LaggingReadDb,
    staff: SignedIn,
    chart: Annotated[Chart, Query()],
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
    date_from: Annotated[str, Query(alias="from", max_length=40)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=40)] = "",
    country: Text = "",
    representation: Text = "",
) -> Response:
    """One chart's table as CSV or XLSX, for the same filters as the dashboard."""
    language = negotiate(request)
    wanted, problems = _filters(staff, date_from, date_to, country, representation)
    if problems:
        return Response(status_code=422)
    figures = _read(db, counts, staff, wanted)
    if chart == "flows":
        table = files.flows_table(figures.series, language)
    else:
        table = files.breakdown_table(figures.breakdowns[chart], language)
    body = files.to_xlsx(table) if format == "xlsx" else files.to_csv(table)
    media = files.XLSX_MEDIA_TYPE if format == "xlsx" else files.CSV_MEDIA_TYPE
    name = f"citizens-{chart}-{figures.filters.date_to.isoformat()}.{format}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
