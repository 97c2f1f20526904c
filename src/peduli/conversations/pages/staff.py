"""The officers' chat inbox: placeholder until the screens land."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
