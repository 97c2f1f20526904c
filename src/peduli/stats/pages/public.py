"""The public open-data page ``/data-terbuka``: the published months, one table of a month
by the dimension chosen (a form sent by GET, no JavaScript), its suppression marks
explained, and the CSV and XLSX downloads of the open-data API; read from the replica when
there is one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from peduli.api.deps import PUBLIC, LaggingReadDb
from peduli.core.errors import NotFound, ValidationFailed
from peduli.core.i18n import in_language
from peduli.stats import disclosure, release_labels, releases
from peduli.web import i18n
from peduli.web.rendering import render

OPEN_DATA_PAGE = "/data-terbuka"
router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])


@router.get(OPEN_DATA_PAGE, response_class=HTMLResponse)
def open_data(request: Request, db: LaggingReadDb) -> HTMLResponse:
    """The releases and a table: ``?month=YYYY-MM&by=country`` (the newest month by country)."""
    language = i18n.negotiate(request)
    typed_month = request.query_params.get("month", "").strip()[:7]
    by = request.query_params.get("by", "country")
    by = by if by in releases.DIMENSIONS else "country"
    months = [m.strftime("%Y-%m") for m in releases.published_months(db)]
    table, problem, status_code = None, None, 200
    try:
        chosen = releases.parse_month(typed_month) if typed_month else None
        table = releases.published_table(db, month=chosen, dimension=by) if months else None
    except ValidationFailed as error:
        problem, status_code = in_language(error.problems[0].message, language), 422
    except NotFound as error:
        problem, status_code = in_language(error.detail, language), 404
    rows = [
        {
            "country": release_labels.category("country", cell.parent, language),
            "name": release_labels.category(by, cell.code, language),
            "value": cell.value,
        }
        for cell in (table.cells if table else [])
    ]
    rows.sort(key=lambda row: (row["country"], row["name"]))
    return render(
        request,
        "stats/open_data.html",
        {
            "signed_in": False,
            "months": months,
            "month": table.month.strftime("%Y-%m") if table else typed_month,
            "by": by,
            "dimensions": {
                k: in_language(v, language) for k, v in release_labels.DIMENSIONS.items()
            },
            "table": table,
            "rows": rows,
            "total_label": in_language(release_labels.TOTAL, language),
            "problem": problem,
            "threshold": disclosure.THRESHOLD,
            "base": disclosure.BASE,
        },
        status_code=status_code,
        personal=False,
    )
