"""Staff passwords: a length policy and argon2id hashes that follow the current parameters."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _

MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing megabytes of input would be a cheap denial of service

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the account does not exist, so an unknown email costs the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def validate(password: str, *, field: str = "password") -> None:
    """Raise ``ValidationFailed`` unless ``password`` meets the length policy."""
    if len(password) < MIN_LENGTH:
        message = _("The password has {length} characters; it needs at least {minimum}.")
        hint = _("Use a passphrase of several words, e.g. four random words.")
    elif len(password) > MAX_LENGTH:
        message = _("The password has {length} characters; at most {maximum} are accepted.")
        hint = _("Use a shorter passphrase.")
    else:
        return
    text = message.format(length=len(password), minimum=MIN_LENGTH, maximum=MAX_LENGTH)
    raise ValidationFailed([FieldProblem(field, "password_policy", text, hint)])


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password that passed ``validate``."""
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Tell whether ``password`` matches; an absent hash never matches (but costs the same)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether the hash was made with older parameters and should be replaced."""
    return _hasher.check_needs_rehash(password_hash)


def generate() -> str:
    """A random password for a new account (about 128 bits), to be changed or kept in a vault."""
    return secrets.token_urlsafe(16)
