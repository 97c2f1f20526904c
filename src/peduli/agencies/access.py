"""Who may work with agencies' data here: imports of their exports are HQ admins' work."""

from __future__ import annotations

from sqlalchemy.orm import Session

from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.auth.roles import AGENCY_IMPORTERS


def require_importer(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (403, audited) anyone but the staff who import agency exports."""
    policy.require_role(session, actor, roles=AGENCY_IMPORTERS, action=action)
