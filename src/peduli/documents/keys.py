"""Signing keys and the trust list that publishes them.

One key is active and signs new documents; ``rotate`` retires it and makes a new one. A
retired key never signs again but stays in the trust list, so every document it signed
keeps verifying, online and offline. The trust list is JSON signed with the active key as a
compact JWS (ES256), so a copy served from elsewhere can be checked against a key already
trusted.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.db import utcnow
from peduli.documents import codec
from peduli.documents.models import KeyState, SigningKey
from peduli.reference.profile import get_profile

TRUST_LIST_VERSION = 1


@dataclass(frozen=True)
class ActiveKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _new_key(session: Session) -> SigningKey:
    private_key = ec.generate_private_key(ec.SECP256R1())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    key = SigningKey(
        id=codec.key_id(private_key.public_key()).hex(),
        public_point=codec.public_point(private_key.public_key()),
        private_key=pem,
        state=KeyState.ACTIVE,
        created_at=utcnow(),
    )
    session.add(key)
    session.flush()
    return key


def _loaded(key: SigningKey) -> ActiveKey:
    private_key = serialization.load_pem_private_key(key.private_key.encode(), password=None)
    assert isinstance(private_key, ec.EllipticCurvePrivateKey)
    return ActiveKey(key.id, private_key)


def active_key(session: Session) -> ActiveKey:
    """The key that signs now; the first is made on first use (by one of concurrent
    callers: the unique index on the active state refuses the others, which take it)."""
    query = select(SigningKey).where(SigningKey.state == KeyState.ACTIVE)
    key = session.scalar(query)
    if key is None:
        try:
            with session.begin_nested():
                key = _new_key(session)
        except IntegrityError:
            key = session.scalars(query).one()
    return _loaded(key)


def rotate(session: Session, *, actor: Actor | None = None) -> str:
    """Retire the active key (it stays trusted for verifying) and make a new one; its id."""
    now = utcnow()
    retired = session.scalars(
        update(SigningKey)
        .where(SigningKey.state == KeyState.ACTIVE)
        .values(state=KeyState.RETIRED, retired_at=now)
        .returning(SigningKey.id)
    ).all()
    session.flush()
    key = _new_key(session)
    audit.record(
        session,
        actor=actor,
        action="documents.key_rotated",
        entity_type="document_signing_key",
        entity_id=key.id,
        reason=f"retired {', '.join(retired)}" if retired else None,
    )
    return key.id


def public_keys(session: Session) -> dict[bytes, ec.EllipticCurvePublicKey]:
    """Every key a document may have been signed with, by key id (bytes)."""
    rows = session.execute(select(SigningKey.id, SigningKey.public_point)).all()
    return {bytes.fromhex(kid): codec.public_key_of(point) for kid, point in rows}


def _jwk(point: bytes) -> dict[str, str]:
    return {"kty": "EC", "crv": "P-256", "x": b64url(point[1:33]), "y": b64url(point[33:65])}


def _entry(key: SigningKey) -> dict[str, Any]:
    return {
        "kid": key.id,
        "alg": "ES256",
        "state": key.state,
        "created_at": _instant(key.created_at),
        "retired_at": _instant(key.retired_at) if key.retired_at else None,
        "jwk": _jwk(key.public_point),
    }


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def trust_list(session: Session) -> dict[str, Any]:
    """The published trust list: every key by id, and a JWS over it by the active key."""
    signer = active_key(session)
    keys = list(session.scalars(select(SigningKey).order_by(SigningKey.created_at, SigningKey.id)))
    changed = max(moment for key in keys for moment in (key.created_at, key.retired_at) if moment)
    body = {
        "version": TRUST_LIST_VERSION,
        "issuer": get_profile().country,
        "prefix": codec.PREFIX,
        "updated_at": _instant(changed),  # the list's last change: the same body until then
        "keys": [_entry(key) for key in keys],
    }
    header = {"alg": "ES256", "kid": signer.kid, "typ": "peduli-trust-list+json"}
    signing_input = f"{_part(header)}.{_part(body)}"
    signature = codec.sign_es256(signer.private_key, signing_input.encode("ascii"))
    return {**body, "signed": f"{signing_input}.{b64url(signature)}"}


def _part(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":"), sort_keys=True).encode())


def read_signed_list(signed: str) -> dict[str, Any] | None:
    """The trust list a JWS carries if the key it names, listed in it, signed it; else None.

    (A verifier that already trusts a key should also require ``kid`` to be one it knows.)
    """
    try:
        header_part, body_part, signature_part = signed.split(".")
        header = json.loads(_unb64(header_part))
        body = json.loads(_unb64(body_part))
        entry = next(k for k in body["keys"] if k["kid"] == header["kid"])
        point = b"\x04" + _unb64(entry["jwk"]["x"]) + _unb64(entry["jwk"]["y"])
        public_key = codec.public_key_of(point)
    except (ValueError, KeyError, TypeError, StopIteration):
        return None
    data = f"{header_part}.{body_part}".encode("ascii")
    if header.get("alg") != "ES256" or not codec.verify_es256(
        public_key, data, _unb64(signature_part)
    ):
        return None
    return dict(body)


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
