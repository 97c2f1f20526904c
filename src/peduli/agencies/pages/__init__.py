"""Pages of the agencies domain: a person's checks on the person screen and the post's
checks that need an officer (staff), their passport status, border crossings and placements
(travel), the citizen's agency trail (/saya), HQ's imports of agencies' exports (imports), and
HQ's webhook subscriptions and a case's bilateral exchange with partner states (exchange)."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.agencies.pages import citizen, exchange, imports, staff, travel

router = APIRouter(include_in_schema=False)
router.include_router(staff.router)
router.include_router(citizen.router)
router.include_router(travel.router)
router.include_router(imports.router)
router.include_router(exchange.router)

__all__ = ["router"]
