"""Pages of the statistics: the dashboard of HQ and of each post's staff, and the public
open-data tables; ``router`` includes each audience's."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.stats.pages import public, staff

router = APIRouter(include_in_schema=False)
router.include_router(public.router)
router.include_router(staff.router)

__all__ = ["router"]
