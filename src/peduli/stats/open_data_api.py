"""The open-data API: published monthly tables of citizens abroad, suppressed and rounded,
as JSON, CSV or XLSX. Public: no credential, nothing personal, the same for every caller;
read from the replica when there is one (a release is frozen once published)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from peduli.api.deps import PUBLIC, LaggingReadDb
from peduli.core.downloads import content_disposition
from peduli.stats import release_files, releases
from peduli.stats.release_schemas import Dimension, OpenRelease, OpenTable

router = APIRouter(tags=["open data"], dependencies=[PUBLIC])
PUBLIC_CACHE = "public, max-age=300"
Month = Annotated[
    str | None,
    Query(
        pattern=r"^\d{4}-\d{2}$", description="YYYY-MM; the newest release when left out.",
        examples=["2026-11"],
    ),
]  # fmt: skip
By = Annotated[Dimension, Query(description="The dimension of the table.")]


def _table(db: LaggingReadDb, month: str | None, by: str) -> releases.PublishedTable:
    chosen = releases.parse_month(month) if month else None
    return releases.published_table(db, month=chosen, dimension=by)


@router.get("/open-data/releases", response_model=list[OpenRelease])
def list_releases(db: LaggingReadDb, response: Response) -> list[OpenRelease]:
    """Every published month, newest first."""
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return [OpenRelease(month=m.strftime("%Y-%m")) for m in releases.published_months(db)]


@router.get("/open-data/citizens", response_model=OpenTable)
def citizens(
    db: LaggingReadDb, response: Response, month: Month = None, by: By = "country"
) -> OpenTable:
    """Citizens abroad in a published month by one dimension: counts below 10 suppressed
    (``value`` null), with the cells that would give them away; the rest rounded to 5."""
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return OpenTable.of(_table(db, month, by))


@router.get(
    "/open-data/citizens/file",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                release_files.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
def citizens_file(
    db: LaggingReadDb,
    month: Month = None,
    by: By = "country",
    file_format: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """The same table as a CSV or XLSX download (suppressed cells empty, flagged ``x``)."""
    table = _table(db, month, by)
    if file_format == "xlsx":
        content, media = release_files.to_xlsx(table), release_files.XLSX_MEDIA_TYPE
    else:
        content, media = release_files.to_csv(table), "text/csv; charset=utf-8"
    name = f"citizens-abroad-{table.month.strftime('%Y-%m')}-by-{by}.{file_format}"
    headers = {
        "Content-Disposition": content_disposition(name),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": PUBLIC_CACHE,
    }
    return Response(content, media_type=media, headers=headers)
