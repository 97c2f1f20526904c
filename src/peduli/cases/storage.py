"""Where attachment bytes live, behind one interface: local disk now, S3-compatible later.

The database holds an attachment's metadata and the key; the storage holds the bytes,
encrypted (``SealedStorage``: AES-256-GCM per file under the data keys, the storage key as
associated data, so a file moved to another key does not open). Only ``cases.attachments``
calls the storage, after the access check, so no file is ever served to someone who may not
read its case.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from peduli.core.config import get_settings
from peduli.core.crypto import get_cipher


class AttachmentStorage(Protocol):
    """Bytes by key; keys are ``<case id>/<attachment id>``."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalDiskStorage:
    """Files under a root directory, written atomically (temporary file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if any(not part or part in (".", "..") for part in parts):
            raise ValueError(f"invalid storage key {key!r}")
        return self.root.joinpath(*parts)

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class SealedStorage:
    """Another storage holding each file encrypted; bytes leave decrypted, and only here."""

    def __init__(self, inner: AttachmentStorage) -> None:
        self.inner = inner

    def put(self, key: str, data: bytes) -> None:
        self.inner.put(key, get_cipher().encrypt_bytes(data, purpose=_purpose(key)))

    def get(self, key: str) -> bytes:
        return get_cipher().decrypt_bytes(self.inner.get(key), purpose=_purpose(key))

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def rotate(self, key: str) -> bool:
        """Re-encrypt one file under the current key; False when it already was."""
        cipher = get_cipher()
        sealed = self.inner.get(key)
        if cipher.file_key_id(sealed) == cipher.ring[0][0]:
            return False
        self.inner.put(key, cipher.encrypt_bytes(self.get(key), purpose=_purpose(key)))
        return True


def _purpose(key: str) -> str:
    return f"attachment:{key}"


def get_storage() -> SealedStorage:
    """The configured storage: encrypted files under ``PEDULI_DATA_DIR/attachments``."""
    return SealedStorage(LocalDiskStorage(Path(get_settings().data_dir) / "attachments"))
