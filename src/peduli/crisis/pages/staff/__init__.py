"""The staff pages of a crisis: the crises followed and the live board (one module per screen)."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.crisis.pages.staff import board, broadcast, declare, unreached

router = APIRouter(include_in_schema=False)
# ``declare`` comes first: its ``/officer/crises/new`` would otherwise match the board's
# ``/officer/crises/{crisis_id}``.
for _module in (declare, board, unreached, broadcast):
    router.include_router(_module.router)
