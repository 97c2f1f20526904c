"""Pages of the agencies domain: HQ's imports of agency exports (``imports``)."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.agencies.pages import imports

router = APIRouter(include_in_schema=False)
router.include_router(imports.router)
