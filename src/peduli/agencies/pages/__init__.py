"""Agencies pages: HQ's webhook subscriptions and a case's bilateral exchange (staff)."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.agencies.pages import staff

router = APIRouter(include_in_schema=False)
router.include_router(staff.router)
