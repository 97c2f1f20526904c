"""Who may do what in the agencies domain, on ``auth.policy``.

Webhook subscriptions are national: HQ admins only. The bilateral exchange is part of a
case's record: whoever may work on the case (``cases.access.load_case``: its post's
officers and supervisors, HQ admins) may send and read its messages.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.auth.roles import WEBHOOK_MANAGERS


def require_webhook_manager(session: Session, actor: Actor, *, action: str) -> None:
    """Refuse (and audit) anyone but HQ admins."""
    policy.require_role(session, actor, roles=WEBHOOK_MANAGERS, action=action)
