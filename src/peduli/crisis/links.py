"""Personal check-in links: ``<recipient id><signature>`` in base 62, signed in SQL for a
whole broadcast.

The link must leave room in a Chinese SMS (70 characters, UCS-2) for the message and the
answer line, so the token is short and only letters and digits (no character a phone's
link detector could cut off): the recipient id in base 62 (5 characters up to 916 million
recipients), then 11 characters of signature. The signature is 64 bits of HMAC-SHA256 over
``crisis-checkin:<recipient id>`` with a key derived from the secret key: its first 29 bits
in 5 base-62 digits and the other 35 in 6 (each piece fits its digits, so SQL writes it
with integer arithmetic). Why 64 bits are enough: ``docs/security.md``, check-in links.

A broadcast signs a million links in its ``INSERT … SELECT``: PostgreSQL computes HMAC from
its built-in ``sha256`` with the padded key halves bound as parameters (no extension
needed), once per row in a subquery; SQLite calls a function registered on its connection.
Python checks a token the same way.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    ColumnExpressionArgument,
    Integer,
    LargeBinary,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import BIT
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from peduli.core.config import get_settings
from peduli.core.db import is_postgres

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# The signature's two pieces: (bits, base-62 digits); 62**5 > 2**29 and 62**6 > 2**35.
PIECES = ((29, 5), (35, 6))
SIGNATURE_CHARS = sum(digits for _, digits in PIECES)
ID_CHARS = 11  # 62**11 > 2**63: any database id
_BLOCK = 64
SQLITE_FUNCTION = "peduli_checkin_token"


def _key() -> bytes:
    return hashlib.sha256(f"crisis-checkin:{get_settings().secret_key}".encode()).digest()


def _message(recipient_id: int) -> bytes:
    return f"crisis-checkin:{recipient_id}".encode()


def base62(number: int, digits: int = 0) -> str:
    """``number`` in base 62, left-padded with zeros to ``digits``."""
    out = ""
    while number:
        number, digit = divmod(number, 62)
        out = ALPHABET[digit] + out
    return out.rjust(digits, "0")


def signature(recipient_id: int) -> str:
    """The signature of a recipient's link: 64 bits of HMAC in 11 base-62 characters."""
    mac = hmac.new(_key(), _message(recipient_id), hashlib.sha256).digest()
    bits = int.from_bytes(mac[:8])
    out, left = "", 64
    for size, digits in PIECES:
        left -= size
        out += base62((bits >> left) & ((1 << size) - 1), digits)
    return out


def token_for(recipient_id: int) -> str:
    """The token in a recipient's personal link."""
    return base62(recipient_id) + signature(recipient_id)


def read_token(token: str) -> int | None:
    """The recipient id of a genuine token; None when it was altered or made up."""
    number, given = token[:-SIGNATURE_CHARS], token[-SIGNATURE_CHARS:]
    if not 0 < len(number) <= ID_CHARS or number[0] == "0" or len(given) != SIGNATURE_CHARS:
        return None
    if any(c not in ALPHABET for c in token):
        return None
    recipient_id = 0
    for c in number:
        recipient_id = recipient_id * 62 + ALPHABET.index(c)
    if not hmac.compare_digest(given, signature(recipient_id)):
        return None
    return recipient_id


def link_base() -> str:
    """Everything of the link before the token."""
    return f"{get_settings().public_url.rstrip('/')}/c/"


def _pads() -> tuple[bytes, bytes]:
    key = _key().ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def _sqlite_token(recipient_id: Any) -> str:
    return token_for(int(recipient_id))


def _constant(value: int) -> ColumnElement[int]:
    """A number written into the statement: the digits' place values are constants, and
    as parameters they would be a hundred per broadcast statement."""
    return literal_column(str(value), BigInteger)


def _base62_sql(number: ColumnElement[int], digits: int) -> ColumnElement[str]:
    """``number`` (a non-negative bigint) in ``digits`` base-62 digits, in SQL. Each digit
    is a byte of the alphabet as ``bytea`` (``chr(get_byte(…))``): ``substr`` on text counts
    UTF-8 characters and took twice as long."""
    alphabet = literal_column(f"'\\x{ALPHABET.encode().hex()}'::bytea", LargeBinary)
    out: ColumnElement[str] = literal_column("''", String)
    for place in reversed(range(digits)):
        digit = cast(number // _constant(62**place) % _constant(62), Integer)
        out = out + func.chr(func.get_byte(alphabet, digit), type_=String)
    return out


def _signature_sql(recipient_id: ColumnExpressionArgument[Any]) -> ColumnElement[str]:
    """The signature of each row's ``recipient_id`` on PostgreSQL: its 64 bits as a bigint
    in a subquery kept apart by ``OFFSET 0``, so each row hashes once although every digit
    reads them."""
    inner_pad, outer_pad = _pads()
    message = func.convert_to(literal("crisis-checkin:") + cast(recipient_id, String), "UTF8")
    ipad = bindparam("checkin_ipad", inner_pad, type_=LargeBinary)
    opad = bindparam("checkin_opad", outer_pad, type_=LargeBinary)
    inner = func.sha256(ipad.op("||")(message), type_=LargeBinary)
    mac = func.sha256(opad.op("||")(inner), type_=LargeBinary)
    as_hex = literal_column("'x'", String) + func.encode(func.substr(mac, 1, 8), "hex")
    bits = cast(cast(as_hex, BIT(64)), BigInteger)  # signed, but shifts and masks see the bits
    signed = (
        select(bits.label("bits")).offset(literal_column("0")).correlate_except(None).subquery()
    )
    digits: ColumnElement[str] = literal_column("''", String)
    left = 64
    for size, count in PIECES:
        left -= size
        piece = signed.c.bits.op(">>")(_constant(left)).op("&")(_constant(2**size - 1))
        digits = digits + _base62_sql(piece, count)
    return select(digits).scalar_subquery()


def token_sql(session: Session, recipient_id: ColumnExpressionArgument[Any]) -> ColumnElement[str]:
    """The token of each row's ``recipient_id``, computed by the database."""
    if is_postgres(session):
        number = cast(recipient_id, BigInteger)
        return func.ltrim(_base62_sql(number, ID_CHARS), "0") + _signature_sql(recipient_id)
    raw = session.connection().connection.driver_connection
    assert raw is not None
    raw.create_function(SQLITE_FUNCTION, 1, _sqlite_token, deterministic=True)
    return getattr(func, SQLITE_FUNCTION)(recipient_id)
