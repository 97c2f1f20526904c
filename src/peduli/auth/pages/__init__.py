"""Sign-in pages: the citizens' one-time code (``citizen``) and the staff's password and
authenticator code (``staff``)."""

from __future__ import annotations

from fastapi import APIRouter

from peduli.auth.pages import citizen, staff

router = APIRouter(include_in_schema=False)
for _module in (citizen, staff):
    router.include_router(_module.router)
