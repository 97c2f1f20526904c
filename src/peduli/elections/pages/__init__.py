"""Pages of the elections: the citizen's registration, the committee's voter list."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.elections.pages import citizen, staff

router = APIRouter(include_in_schema=False)
router.include_router(citizen.router)
router.include_router(staff.router)

__all__ = ["router"]
