"""Pages of the case domain: the officer's case desk, HQ outcome figures, citizens' help."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.cases.pages import case_screen, citizen, figures, new_case, queue, team

router = APIRouter(include_in_schema=False)
# The fixed paths (/officer/cases/new, /team) come before /officer/cases/{case_id}.
for _module in (queue, team, new_case, case_screen, figures, citizen):
    router.include_router(_module.router)
