"""What the registry's work-queue tabs share: the tab counts and one tab of a post's rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.registry import work_queue
from peduli.web import desk


def tab_counts(
    db: Session, staff: Actor, representation_code: str | None, *, to_verify: int | None = None
) -> dict[str, Any]:
    """What the tabs above every work-queue list show: how many rows each tab holds
    (``to_verify``: already counted by the caller's list)."""
    counts = work_queue.counts(
        db, actor=staff, representation_code=representation_code, to_verify=to_verify
    )
    return {
        "counts": counts,
        "count_cap": work_queue.COUNT_CAP,
    }


def post_queue_tab(
    request: Request,
    db: Session,
    staff: Actor,
    *,
    template: str,
    path: str,
    fetch: Callable[[str | None, int, int], tuple[int, list[Any]]],
    representation: str,
    page_wanted: str,
    done: str,
    shown: Callable[[list[Any]], list[Any]] = list,
) -> HTMLResponse:
    """One tab of the work queue (duplicates, identity claims): a page of the post's rows,
    the tab counts, and for HQ admins the post picker.

    ``fetch(representation_code, limit, offset)`` gives the total and one page of rows;
    ``shown`` turns those rows into what the template lists.
    """
    hq = policy.post_scope(staff).every_post
    post = (representation or None) if hq else None
    pages, rows = desk.paged(
        lambda limit, offset: fetch(post, limit, offset),
        desk.page_number(page_wanted),
        desk.PER_PAGE_CHOICES[0],
    )
    params = {"representation": post}
    return desk.page(
        request,
        template,
        staff,
        {
            **tab_counts(db, staff, post),
            "rows": shown(rows),
            "pages": pages,
            "params": params,
            "url": desk.url_with(path, params),
            "hq": hq,
            "posts": desk.representation_choices() if hq else [],
            "done": done,
        },
    )
