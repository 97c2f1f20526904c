"""The officer's pages on the registry: work queue, person screen and
its identity correction, search, merge and its undoing, claims, corrections."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.registry.pages.staff import (
    claims,
    corrections,
    identity,
    merge,
    person,
    search,
    unmerge,
    work_queue,
)

router = APIRouter(include_in_schema=False)
for _module in (work_queue, identity, person, search, merge, unmerge, claims, corrections):
    router.include_router(_module.router)
