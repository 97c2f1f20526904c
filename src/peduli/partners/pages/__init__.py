"""Partner pages, one module per audience: the partner desk and the officers' pages."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.partners.pages import partner, staff

router = APIRouter(include_in_schema=False)
router.include_router(partner.router)
router.include_router(staff.router)
