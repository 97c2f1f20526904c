"""The officers', supervisors' and HQ's case pages: the queue, the team, a new case, the case
screen, the outcome figures and a person's cases."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.cases.pages.staff import case_screen, figures, new_case, person_cases, queue, team

router = APIRouter(include_in_schema=False)
# The fixed paths (/officer/cases/new, /team) come before /officer/cases/{case_id}.
for _module in (queue, team, new_case, case_screen, figures, person_cases):
    router.include_router(_module.router)
