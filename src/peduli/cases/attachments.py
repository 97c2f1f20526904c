"""Case attachments: size and type limits on the way in, an access check on the way out."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.cases.access import load_case
from peduli.cases.models import CaseAttachment, EventKind, Visibility
from peduli.cases.service import problem
from peduli.cases.storage import AttachmentStorage, get_storage
from peduli.cases.timeline import add_event
from peduli.core.config import get_settings
from peduli.core.db import after_rollback, utcnow
from peduli.core.errors import NotFound, require_valid
from peduli.core.i18n import _

# Content types accepted, each with how its first bytes must look (never trust the header).
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "text/plain": (),
}
MAX_FILENAME = 200


def _content_matches(content_type: str, data: bytes) -> bool:
    if content_type == "text/plain":
        try:
            return "\x00" not in data.decode("utf-8")
        except UnicodeDecodeError:
            return False
    if content_type == "image/webp":
        return data.startswith(b"RIFF") and data[8:12] == b"WEBP"
    return any(data.startswith(signature) for signature in SIGNATURES[content_type])


def _safe_filename(name: str) -> str:
    cleaned = "".join(c for c in name if c.isprintable() and c not in '/\\"')
    return cleaned.strip()[:MAX_FILENAME] or "attachment"


def upload(
    session: Session,
    *,
    case_id: uuid.UUID,
    actor: Actor,
    filename: str,
    content_type: str,
    data: bytes,
    visibility: Visibility = Visibility.INTERNAL,
    storage: AttachmentStorage | None = None,
) -> CaseAttachment:
    """Store a file of a case after checking its size and that its bytes match its type."""
    case = load_case(session, case_id=case_id, actor=actor, action="case.attachment_add")
    limit = get_settings().case_attachment_max_bytes
    kind = content_type.split(";")[0].strip().lower()
    problems = []
    if not data:
        problems.append(problem("file", "empty_file", _("The file is empty.")))
    elif len(data) > limit:
        problems.append(
            problem(
                "file",
                "file_too_large",
                _("The file is larger than {mb} MB.").format(mb=limit // (1024 * 1024)),
                _("Send a smaller file, e.g. a scan at lower resolution."),
            )
        )
    elif kind not in SIGNATURES:
        problems.append(
            problem(
                "file",
                "type_not_allowed",
                _("Files of this type are not accepted."),
                _("Send one of: {types}.").format(types=", ".join(SIGNATURES)),
            )
        )
    elif not _content_matches(kind, data):
        problems.append(
            problem(
                "file",
                "content_mismatch",
                _("The file's content does not match its type."),
                _("Send the file as it is, with its real type."),
            )
        )
    require_valid(problems)
    attachment_id = uuid.uuid4()
    key = f"{case.id}/{attachment_id}"
    store = storage or get_storage()
    store.put(key, data)
    # The bytes are written before the row: if the transaction rolls back, remove them.
    after_rollback(session, lambda _session: store.delete(key))
    attachment = CaseAttachment(
        id=attachment_id,
        case_id=case.id,
        filename=_safe_filename(filename),
        content_type=kind,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        visibility=visibility,
        uploaded_by_account_id=actor.account_id,
        uploaded_at=utcnow(),
    )
    session.add(attachment)
    case.updated_at = utcnow()
    add_event(
        session,
        case,
        kind=EventKind.ATTACHMENT,
        actor=actor,
        text=attachment.filename,
        visibility=visibility,
        data={"attachment_id": attachment_id, "size_bytes": len(data)},
    )
    audit.record(
        session,
        actor=actor,
        action="case.attachment_add",
        entity_type="case",
        entity_id=str(case.id),
        fields=["attachment"],
    )
    return attachment


def list_attachments(session: Session, *, case_id: uuid.UUID, actor: Actor) -> list[CaseAttachment]:
    """A case's attachments (metadata only)."""
    case = load_case(session, case_id=case_id, actor=actor, action="case.attachment_list")
    return list(
        session.scalars(
            select(CaseAttachment)
            .where(CaseAttachment.case_id == case.id)
            .order_by(CaseAttachment.uploaded_at)
        )
    )


@dataclass(frozen=True)
class Download:
    attachment: CaseAttachment
    data: bytes


def download(
    session: Session,
    *,
    case_id: uuid.UUID,
    attachment_id: uuid.UUID,
    actor: Actor,
    storage: AttachmentStorage | None = None,
) -> Download:
    """The bytes of one attachment, after the case access check; the read is audited."""
    case = load_case(session, case_id=case_id, actor=actor, action="case.attachment_read")
    attachment = session.scalar(
        select(CaseAttachment).where(
            CaseAttachment.id == attachment_id, CaseAttachment.case_id == case.id
        )
    )
    if attachment is None:
        raise NotFound(_("This case has no such attachment."))
    data = (storage or get_storage()).get(attachment.storage_key)
    audit.record(
        session,
        actor=actor,
        action="case.attachment_read",
        entity_type="case_attachment",
        entity_id=str(attachment.id),
    )
    return Download(attachment=attachment, data=data)
