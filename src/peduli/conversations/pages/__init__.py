"""Pages of the conversations domain: the officers' chat inbox and a conversation's screen."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.conversations.pages import staff

router = APIRouter(include_in_schema=False)
router.include_router(staff.router)
