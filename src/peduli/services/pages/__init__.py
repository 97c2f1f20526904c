"""Pages of the services: the citizen's catalogue, applying and tracking; the officers' queue,
an application's decisions and the report."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.services.pages import catalogue, citizen, staff

router = APIRouter(include_in_schema=False)
router.include_router(citizen.router)
router.include_router(staff.router)
router.include_router(catalogue.router)

__all__ = ["router"]
