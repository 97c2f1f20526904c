"""The registry's citizen pages: lapor diri, my stays, identity claims, proof of report."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.registry.pages.citizen import claims, lapor_diri, my_stays, proof

router = APIRouter(include_in_schema=False)
for _module in (lapor_diri, claims, my_stays, proof):
    router.include_router(_module.router)
