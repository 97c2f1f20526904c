"""Pages of the emergency domain: the citizen's SOS form, officers' emergencies and roster."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.emergency.pages import citizen, staff

router = APIRouter(include_in_schema=False)
for _module in (citizen, staff):
    router.include_router(_module.router)
