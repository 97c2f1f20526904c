"""The QR payload of an issued document, in the manner of the EU digital COVID certificate.

``PDL1:`` + base45( zlib( COSE_Sign1( CWT ) ) ), ES256 over the CWT with the signing key
named by its key id (protected header 4). The CWT carries the issuer country (claim 1),
expiry (4) and issue time (6) as seconds since the epoch, and under claim -260 / 1 only
what a verifier compares with the holder: the kind and number of the document, the holder's
name and date of birth, the issuing post. No database is needed to check it: the public
keys of the trust list suffice, which is what the offline verify page does in JavaScript
(``web/static/documents/verify.js`` mirrors this module).
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import base45
import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

PREFIX = "PDL1:"
ALG_ES256 = -7  # COSE algorithm: ECDSA over P-256 with SHA-256
COSE_SIGN1_TAG = 18
HEADER_ALG, HEADER_KID = 1, 4
CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_DOCUMENT = 1, 4, 6, -260
MAX_NAME = 100  # a longer name is cut: the payload must scan from paper (≤ ~600 characters)
MAX_TEXT = 600 * 2  # what a decoder reads at most, before any work
KID_BYTES = 8


class Unreadable(ValueError):
    """The text is not a document payload at all (not base45, zlib, CBOR or COSE_Sign1)."""


@dataclass(frozen=True)
class Fields:
    """What a document's QR code says about it: only what a verifier needs."""

    kind: str
    number: str
    name: str
    birth_date: date
    post: str
    issued_at: datetime
    expires_on: date
    issuer: str = "ID"


@dataclass(frozen=True)
class Signed:
    """A decoded payload: who signed it (``kid``), what it says, and the bytes to check."""

    kid: bytes
    fields: Fields
    to_be_signed: bytes
    signature: bytes


def key_id(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The first 8 bytes of the SHA-256 of the public key (uncompressed point)."""
    return hashlib.sha256(public_point(public_key)).digest()[:KID_BYTES]


def public_point(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The uncompressed point 04||x||y, 65 bytes: what the trust list publishes."""
    numbers = public_key.public_numbers()
    return b"\x04" + numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big")


def public_key_of(point: bytes) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)


def expiry_instant(expires_on: date) -> int:
    """A document is valid through its expiry day (UTC): it lapses at the next midnight."""
    return int(datetime.combine(expires_on + timedelta(days=1), time(), UTC).timestamp())


def _claims(fields: Fields) -> dict[int, Any]:
    document = {
        "k": fields.kind,
        "n": fields.number,
        "nm": fields.name[:MAX_NAME],
        "dob": fields.birth_date.isoformat(),
        "p": fields.post,
    }
    return {
        CLAIM_ISS: fields.issuer,
        CLAIM_EXP: expiry_instant(fields.expires_on),
        CLAIM_IAT: int(fields.issued_at.timestamp()),
        CLAIM_DOCUMENT: {1: document},
    }


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign_es256(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """An ES256 signature as COSE and JWS write it: r||s, 32 bytes each."""
    r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify_es256(public_key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes) -> bool:
    if len(signature) != 64:
        return False
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public_key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def encode(fields: Fields, private_key: ec.EllipticCurvePrivateKey) -> str:
    """The QR text of a document signed with ``private_key``."""
    protected = cbor2.dumps({HEADER_ALG: ALG_ES256, HEADER_KID: key_id(private_key.public_key())})
    payload = cbor2.dumps(_claims(fields))
    signature = sign_es256(private_key, _sig_structure(protected, payload))
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def payload_hash(text: str) -> str:
    """The SHA-256 (hex) of the QR text, as the register of issued documents keeps it."""
    return hashlib.sha256(text.strip().encode()).hexdigest()


def decode(text: str) -> Signed:
    """Read a QR text without checking its signature; ``Unreadable`` if it is not one."""
    text = text.strip()
    if len(text) > MAX_TEXT or not text.startswith(PREFIX):
        raise Unreadable("not a document payload")
    try:
        compressed = base45.b45decode(text[len(PREFIX) :])
        inflater = zlib.decompressobj()
        cose = inflater.decompress(compressed, 4096)
        if inflater.unconsumed_tail or not inflater.eof:
            raise Unreadable("truncated or too large")
        item = cbor2.loads(cose)
        return _read_cose(item)
    except Unreadable:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, OSError,
            zlib.error, cbor2.CBORDecodeError) as e:  # fmt: skip
        raise Unreadable("not a document payload") from e


def _read_cose(item: Any) -> Signed:
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise Unreadable("not COSE_Sign1")
        item = item.value
    if not isinstance(item, list | tuple) or len(item) != 4:
        raise Unreadable("not COSE_Sign1")
    protected, _unprotected, payload, signature = item
    if not all(isinstance(part, bytes) for part in (protected, payload, signature)):
        raise Unreadable("not COSE_Sign1")
    header = cbor2.loads(protected)
    if header.get(HEADER_ALG) != ALG_ES256 or not isinstance(header.get(HEADER_KID), bytes):
        raise Unreadable("not ES256")
    claims = cbor2.loads(payload)
    document = claims[CLAIM_DOCUMENT][1]
    fields = Fields(
        kind=_text(document["k"]),
        number=_text(document["n"]),
        name=_text(document["nm"]),
        birth_date=date.fromisoformat(_text(document["dob"])),
        post=_text(document["p"]),
        issued_at=datetime.fromtimestamp(int(claims[CLAIM_IAT]), UTC),
        expires_on=datetime.fromtimestamp(int(claims[CLAIM_EXP]) - 1, UTC).date(),
        issuer=_text(claims[CLAIM_ISS]),
    )
    return Signed(header[HEADER_KID], fields, _sig_structure(protected, payload), signature)


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise Unreadable("not a text field")
    return value
