"""The staff pages of a crisis: the crises followed and the live board (one module per screen)."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.crisis.pages.staff import board, broadcast, unreached

router = APIRouter(include_in_schema=False)
for _module in (board, unreached, broadcast):
    router.include_router(_module.router)
