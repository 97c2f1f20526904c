"""Personal check-in links: ``<recipient id>.<HMAC>``, signed in SQL for a whole broadcast.

The signature is HMAC-SHA256 over ``crisis-checkin:<recipient id>`` with a key derived from
the secret key, cut to 80 bits (short enough for an SMS, too long to guess). A broadcast
signs a million links in its ``INSERT … SELECT``: PostgreSQL computes HMAC from its built-in
``sha256`` with the padded key halves bound as parameters (no extension needed); SQLite calls
a function registered on its connection. Python checks a token the same way.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, bindparam, cast, func, literal
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from peduli.core.config import get_settings
from peduli.core.db import is_postgres

SIGNATURE_HEX = 20  # 80 bits
_BLOCK = 64
SQLITE_FUNCTION = "peduli_checkin_signature"


def _key() -> bytes:
    return hashlib.sha256(f"crisis-checkin:{get_settings().secret_key}".encode()).digest()


def _message(recipient_id: int | str) -> bytes:
    return f"crisis-checkin:{recipient_id}".encode()


def signature(recipient_id: int | str) -> str:
    """The hex signature of a recipient's link."""
    digest = hmac.new(_key(), _message(recipient_id), hashlib.sha256).hexdigest()
    return digest[:SIGNATURE_HEX]


def token_for(recipient_id: int) -> str:
    """The token in a recipient's personal link."""
    return f"{recipient_id}.{signature(recipient_id)}"


def read_token(token: str) -> int | None:
    """The recipient id of a genuine token; None when it was altered or made up."""
    number, dot, given = token.partition(".")
    if not dot or not number.isdigit() or len(number) > 18 or len(given) != SIGNATURE_HEX:
        return None
    if not hmac.compare_digest(given, signature(int(number))):
        return None
    return int(number)


def link_base() -> str:
    """Everything of the link before the token."""
    return f"{get_settings().public_url.rstrip('/')}/c/"


def _pads() -> tuple[bytes, bytes]:
    key = _key().ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def _sqlite_signature(recipient_id: Any) -> str:
    return signature(recipient_id)


def token_sql(session: Session, recipient_id: Any) -> ColumnElement[str]:
    """The token of each row's ``recipient_id``, computed by the database."""
    as_text = cast(recipient_id, String)
    if is_postgres(session):
        inner_pad, outer_pad = _pads()
        message = func.convert_to(literal("crisis-checkin:") + as_text, "UTF8")
        ipad = bindparam("checkin_ipad", inner_pad, type_=LargeBinary)
        opad = bindparam("checkin_opad", outer_pad, type_=LargeBinary)
        inner = func.sha256(ipad.op("||")(message), type_=LargeBinary)
        outer = func.sha256(opad.op("||")(inner), type_=LargeBinary)
        signed = func.substr(func.encode(outer, "hex"), 1, SIGNATURE_HEX)
    else:
        raw = session.connection().connection.driver_connection
        assert raw is not None
        raw.create_function(SQLITE_FUNCTION, 1, _sqlite_signature, deterministic=True)
        signed = getattr(func, SQLITE_FUNCTION)(as_text)
    return as_text + "." + signed
