"""Pages of the outbox: the demo mailbox (``demo``, anyone trying a demo installation) and HQ's
dead letters (``staff``).

The mailbox's JSON twin stays in the API schema, so this router leaves the schema flag to
each audience's router.
"""

from __future__ import annotations

from fastapi import APIRouter

from peduli.notify.pages import demo, staff

router = APIRouter()
for _module in (demo, staff):
    router.include_router(_module.router)
