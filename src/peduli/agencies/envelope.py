"""The envelope of every call to an outside agency, in the spirit of X-Road.

A unique message id (the agency refuses a replay), the calling system, the acting user, the
purpose and the case or application that caused the call, and a hash of the request. A call
without a purpose or a cause is refused before anything is sent.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from peduli.core.errors import PeduliError
from peduli.core.i18n import _

MAX_CAUSE = 200


class Purpose(StrEnum):
    """Why an agency is asked; the agency decides what each purpose may see."""

    IDENTITY_VERIFICATION = "identity_verification"
    PROTECTION_CASE = "protection_case"
    CONSULAR_SERVICE = "consular_service"
    CRISIS_RESPONSE = "crisis_response"
    DATA_IMPORT = "data_import"
    BILATERAL_EXCHANGE = "bilateral_exchange"
    ELECTIONS = "elections"  # the overseas voter list: the law asks for the marital status


class PurposeRequired(PeduliError):
    """A call without a (known) purpose or without its cause: refused before sending."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            detail=detail, status=422, title=_("Purpose required"), code="purpose_required"
        )


def request_hash(request: Mapping[str, Any]) -> str:
    """SHA-256 of the request as canonical JSON: what the envelope and the log commit to."""
    data = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode()).hexdigest()


@dataclass(frozen=True)
class Envelope:
    """Who asks which agency what, why and on behalf of whom; one per message sent."""

    message_id: uuid.UUID
    client: str
    actor: str
    purpose: Purpose
    cause: str
    request_hash: str

    @classmethod
    def new(
        cls, *, client: str, actor: str, purpose: Purpose | str, cause: str, request_hash: str
    ) -> Envelope:
        """An envelope with a fresh message id."""
        return cls(uuid.uuid4(), client, actor, purpose, cause, request_hash)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        if not isinstance(self.purpose, Purpose):
            try:
                object.__setattr__(self, "purpose", Purpose(str(self.purpose or "")))
            except ValueError:
                raise PurposeRequired(
                    _("A call to an agency needs one of the known purposes.")
                ) from None
        cause = (self.cause or "").strip()
        if not cause or len(cause) > MAX_CAUSE:
            raise PurposeRequired(
                _("A call to an agency names the case or application that caused it.")
            )
        if not (self.actor or "").strip():
            raise PurposeRequired(_("A call to an agency names the user acting."))

    def headers(self) -> dict[str, str]:
        """The envelope as HTTP headers (X-Road names)."""
        return {
            "X-Road-Id": str(self.message_id),
            "X-Road-Client": self.client,
            "X-Road-UserId": self.actor,
            "X-Road-Purpose": self.purpose.value,
            "X-Road-Issue": self.cause,
            "X-Road-Request-Hash": self.request_hash,
        }

    def renewed(self) -> Envelope:
        """The same envelope with a new message id: a retry is a new message."""
        return Envelope.new(
            client=self.client,
            actor=self.actor,
            purpose=self.purpose,
            cause=self.cause,
            request_hash=self.request_hash,
        )
