"""The staff pages of a crisis: the crises followed, declaring one, and the live board
(one module per screen)."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.crisis.pages.staff import board, declare

router = APIRouter(include_in_schema=False)
# The declare screen first: its fixed paths (/officer/crises/new) must win over the
# board's /officer/crises/{crisis_id}.
for _module in (declare, board):
    router.include_router(_module.router)
