"""Pages of the voice domain: the officers' calls to return, and a call's details."""

from __future__ import annotations

from peduli.voice.pages.staff import router

__all__ = ["router"]
