"""Pages of the crisis domain: the citizen's check-in at a personal link, the staff board."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.crisis.pages import citizen, staff

router = APIRouter(include_in_schema=False)
for _module in (citizen, staff):
    router.include_router(_module.router)
