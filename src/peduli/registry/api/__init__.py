"""Registry HTTP API: self-reports, stays, the person screen, search, duplicates, my data,
identity claims."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.registry.api import claims, my_data, people, self_reports

router = APIRouter()
for _module in (self_reports, people, my_data, claims):
    router.include_router(_module.router)
