"""Pages of the services: the citizen's catalogue, applying, booking and tracking; the
officers' queue, an application's decisions, the report and the day's appointments; HQ's
catalogue and rates."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.services.pages import (
    catalogue,
    citizen,
    citizen_appointments,
    staff,
    staff_appointments,
)

router = APIRouter(include_in_schema=False)
router.include_router(citizen.router)
router.include_router(staff.router)
router.include_router(catalogue.router)
router.include_router(citizen_appointments.router)
router.include_router(staff_appointments.router)

__all__ = ["router"]
