"""The statistics' pages: ``router`` includes each audience's."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.stats.pages import public

router = APIRouter(include_in_schema=False)
router.include_router(public.router)
