"""TOTP second factor (RFC 6238): secrets encrypted at rest, QR codes, replay protection."""

from __future__ import annotations

import base64
import hmac
import io

import pyotp
import qrcode
from qrcode.image.pure import PyPNGImage
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from peduli.auth.models import TOTP_PURPOSE, StaffAccount
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow

ISSUER = "Peduli"
_PURPOSE = TOTP_PURPOSE
# Accept the previous and the next 30-second step too: phone clocks drift.
_DRIFT_STEPS = 1


def ensure_secret(account: StaffAccount) -> str:
    """Give ``account`` a secret if it has none; return the secret in clear (base32)."""
    cipher = get_cipher()
    if account.totp_secret_encrypted is None:
        account.totp_secret_encrypted = cipher.encrypt(pyotp.random_base32(), purpose=_PURPOSE)
    return cipher.decrypt(account.totp_secret_encrypted, purpose=_PURPOSE)


def set_secret(account: StaffAccount, secret: str) -> None:
    """Give the account a known key, already enrolled (documented demo accounts only)."""
    account.totp_secret_encrypted = get_cipher().encrypt(secret, purpose=_PURPOSE)
    account.totp_confirmed_at = utcnow()


def provisioning_uri(account: StaffAccount) -> str:
    """The ``otpauth://`` URI an authenticator app reads (creates the secret if needed)."""
    return pyotp.TOTP(ensure_secret(account)).provisioning_uri(
        name=account.email, issuer_name=ISSUER
    )


def qr_png_base64(uri: str) -> str:
    """The URI as a QR code, a PNG encoded in base64 (for a data: URL or an API answer)."""
    buffer = io.BytesIO()
    qrcode.make(uri, image_factory=PyPNGImage, box_size=6, border=2).save(buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def current_code(account: StaffAccount) -> str:
    """The code valid now (demo and test environments only; callers enforce that)."""
    return pyotp.TOTP(ensure_secret(account)).now()


def matching_step(account: StaffAccount, code: str) -> int | None:
    """The time step whose code equals ``code``, within the allowed drift; None if none."""
    if account.totp_secret_encrypted is None or not code.isdigit():
        return None
    totp = pyotp.TOTP(ensure_secret(account))
    now_step = totp.timecode(utcnow())
    for step in range(now_step - _DRIFT_STEPS, now_step + _DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def claim_step(session: Session, *, account: StaffAccount, step: int) -> bool:
    """Record ``step`` as used; False if it (or a later one) was used already: a replay.

    One conditional UPDATE, so two requests racing with the same code cannot both win.
    """
    result = session.execute(
        update(StaffAccount)
        .where(
            StaffAccount.id == account.id,
            or_(StaffAccount.totp_last_step.is_(None), StaffAccount.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    claimed = bool(getattr(result, "rowcount", 0))
    if claimed:
        account.totp_last_step = step
    return claimed
