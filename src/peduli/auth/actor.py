"""Who is acting: the one value every service receives to decide access and to audit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from peduli.auth.roles import STAFF_ROLES, Role

__all__ = ["SYSTEM", "Actor", "Role"]  # Role lives in auth.roles; imported from here too


@dataclass(frozen=True)
class Actor:
    """An authenticated caller: a staff member, an agency client or a signed-in citizen.

    ``representation_code`` is set for post-bound roles; ``person_id`` for citizens;
    ``scopes`` limits what a bearer token may do (empty means the role's defaults).
    """

    role: Role
    account_id: uuid.UUID
    display: str
    representation_code: str | None = None
    person_id: uuid.UUID | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    ip: str | None = None
    via: str = "session"  # session | token | system
    # The session's CSRF token, so pages can put it in their forms (cookie sessions only).
    csrf_token: str | None = field(default=None, repr=False)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def has_scope(self, scope: str) -> bool:
        """A token with no explicit scopes carries its role's defaults."""
        return not self.scopes or scope in self.scopes


SYSTEM = Actor(role=Role.HQ_ADMIN, account_id=uuid.UUID(int=0), display="system", via="system")
