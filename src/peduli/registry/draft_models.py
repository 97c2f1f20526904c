"""A lapor diri not yet sent, kept sealed on the server (``registry.drafts``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import Sealed
from peduli.core.db import Base, IdMixin

DRAFT_PURPOSE = "lapor-draft"  # a lapor diri not yet sent, sealed whole


class LaporDraft(IdMixin, Base):
    """A citizen's lapor diri not yet sent: what they typed, as JSON, sealed.

    Kept on the server so that the browser's Back, a reload or a language switch shows every
    step as typed, without identifiers in a URL. One per citizen account; gone once the report
    is sent, or after ``registry.retention.DRAFT_DAYS`` untouched.
    """

    __tablename__ = "lapor_draft"

    account_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    fields_encrypted: Mapped[str] = mapped_column(Sealed(DRAFT_PURPOSE))
    updated_at: Mapped[datetime] = mapped_column(index=True)
