"""Pages of the case domain: the staff's case desk and HQ outcome figures, citizens' help."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.cases.pages import citizen, staff

router = APIRouter(include_in_schema=False)
for _module in (staff, citizen):
    router.include_router(_module.router)
