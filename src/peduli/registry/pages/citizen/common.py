"""What the citizen's registry pages share: their addresses, the posted draft, the citizen's own
stays."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.registry import service
from peduli.registry.models import Stay
from peduli.registry.pages.citizen.forms import REPORT_FIELDS

LAPOR = "/lapor-diri"
MINE = "/saya"
CLAIMS = "/saya/klaim"
MAX_VALUE = 600  # longer than any field the form has; cuts off junk posts
FORM_KEYS = frozenset({*REPORT_FIELDS, "step", "go", "lang", "departed_on"})


async def posted_draft(request: Request) -> dict[str, str]:
    """The form's text fields this flow knows (files and unknown names are ignored)."""
    form = await request.form()
    return {
        key: value[:MAX_VALUE]
        for key, value in form.items()
        if key in FORM_KEYS and isinstance(value, str)
    }


# The posted draft of a lapor diri or a stay change, as form text fields.
Draft = Annotated[dict[str, str], Depends(posted_draft)]


def is_citizen(actor: Actor | None) -> bool:
    """Whether the caller is a signed-in citizen (staff have no citizen pages)."""
    return actor is not None and actor.role == Role.CITIZEN


def own_stay(db: Session, actor: Actor, stay_id: uuid.UUID) -> Stay:
    """One of the signed-in citizen's own stays; anyone else's does not exist for them."""
    view = service.own_person_view(db, actor=actor)
    stay = next((s for s in view.stays if s.id == stay_id), None)
    if stay is None:
        raise NotFound(_("No stay has this id; check the link or list your stays again."))
    return stay
