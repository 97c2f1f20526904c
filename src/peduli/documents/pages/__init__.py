"""The documents domain's pages: the public verify page, and the officers' list of a
person's documents with revocation."""

from fastapi import APIRouter

from peduli.documents.pages import public, staff

router = APIRouter(include_in_schema=False)
router.include_router(public.router)
router.include_router(staff.router)
