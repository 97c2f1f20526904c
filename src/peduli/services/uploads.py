"""Documents an applicant sends: size and type limits on the way in (the type read from the
bytes, never trusted from the header), sealed in the same storage as case attachments."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from peduli.cases.storage import AttachmentStorage, get_storage
from peduli.core.config import get_settings
from peduli.core.db import after_rollback, utcnow
from peduli.core.errors import FieldProblem
from peduli.core.i18n import _
from peduli.services.models import ApplicationDocument, ServiceApplication

# What applicants may send (scans and photos of documents), by their first bytes.
SIGNATURES: dict[str, bytes] = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}
MAX_FILENAME = 200


@dataclass(frozen=True)
class Upload:
    """One file for one requirement, as received."""

    requirement: str
    filename: str
    content_type: str
    data: bytes


def sniffed_type(data: bytes) -> str | None:
    """The accepted type the bytes really are, or None."""
    return next((kind for kind, magic in SIGNATURES.items() if data.startswith(magic)), None)


def problems_of(upload: Upload, field: str) -> list[FieldProblem]:
    """Why a file is refused (empty, too large, a type not accepted, content not its type)."""
    limit = get_settings().service_document_max_bytes
    declared = upload.content_type.split(";")[0].strip().lower()
    if not upload.data:
        return [FieldProblem(field, "empty_file", _("The file is empty."))]
    if len(upload.data) > limit:
        return [
            FieldProblem(
                field,
                "file_too_large",
                _("The file is larger than {mb} MB.").format(mb=limit // 2**20),
                _("Send a smaller file, e.g. a scan at lower resolution."),
            )
        ]
    real = sniffed_type(upload.data)
    if real is None:
        return [
            FieldProblem(
                field,
                "type_not_allowed",
                _("Files of this type are not accepted."),
                _("Send a PDF, JPEG or PNG file."),
            )
        ]
    if declared not in (real, "application/octet-stream", ""):
        return [
            FieldProblem(
                field,
                "content_mismatch",
                _("The file's content does not match its type."),
                _("Send the file as it is, with its real type."),
            )
        ]
    return []


def _safe_filename(name: str) -> str:
    cleaned = "".join(c for c in name if c.isprintable() and c not in '/\\"')
    return cleaned.strip()[:MAX_FILENAME] or "document"


def store(
    session: Session,
    application: ServiceApplication,
    upload: Upload,
    storage: AttachmentStorage | None = None,
) -> ApplicationDocument:
    """Seal the bytes in the storage and add their row (checked by ``problems_of`` first)."""
    document_id = uuid.uuid4()
    key = f"services/{application.id}/{document_id}"
    target = storage or get_storage()
    target.put(key, upload.data)
    after_rollback(session, lambda _session: target.delete(key))
    document = ApplicationDocument(
        id=document_id,
        application_id=application.id,
        requirement=upload.requirement,
        filename=_safe_filename(upload.filename),
        content_type=sniffed_type(upload.data) or "application/octet-stream",
        size_bytes=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        storage_key=key,
        uploaded_at=utcnow(),
    )
    session.add(document)
    return document
