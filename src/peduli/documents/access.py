"""Who may revoke a document: officers and supervisors of the issuing post, HQ admins any
(on the post scope of ``auth.policy``)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.roles import DOCUMENT_REVOKERS
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.documents.models import IssuedDocument


def document_scope(actor: Actor) -> ColumnElement[bool]:
    """The SQL condition selecting the documents issued by a post ``actor`` reaches."""
    return policy.within_posts(actor, IssuedDocument.representation_code)


def require_revoker(session: Session, actor: Actor, *, action: str) -> None:
    policy.require_role(session, actor, roles=DOCUMENT_REVOKERS, action=action)


def document_in_scope(
    session: Session, actor: Actor, document_id: uuid.UUID, *, action: str
) -> IssuedDocument:
    """The document if ``actor`` reaches its post; otherwise 404, a denial audited."""
    found = session.scalar(
        select(IssuedDocument).where(IssuedDocument.id == document_id, document_scope(actor))
    )
    if found is not None:
        return found
    if session.scalar(select(IssuedDocument.id).where(IssuedDocument.id == document_id)):
        audit.record_denial(session, actor=actor, action=action, entity_type="issued_document",
                            entity_id=str(document_id))  # fmt: skip
    raise NotFound(_("There is no document with this id issued by your representation."))
