"""Pages of the agencies domain."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.agencies.pages import travel

router = APIRouter(include_in_schema=False)
router.include_router(travel.router)
