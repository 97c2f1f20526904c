"""Pages of the statistics: the dashboard of HQ and of each post's staff."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.stats.pages import staff

router = APIRouter(include_in_schema=False)
router.include_router(staff.router)

__all__ = ["router"]
