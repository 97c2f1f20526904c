"""The registry's pages: the citizen's (lapor diri, my stays) and the staff's (work queue)."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.registry.pages import citizen, staff

router = APIRouter(include_in_schema=False)
for _audience in (citizen, staff):
    router.include_router(_audience.router)
