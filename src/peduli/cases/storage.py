"""Where attachment bytes live, behind one interface: local disk now, S3-compatible later.

The database holds an attachment's metadata and the key; the storage holds the bytes. Only
``cases.attachments`` calls the storage, after the access check, so no file is ever
served to someone who may not read its case.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from peduli.core.config import get_settings


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


def get_storage() -> AttachmentStorage:
    """The configured storage (local disk under ``PEDULI_DATA_DIR/attachments``)."""
    return LocalDiskStorage(Path(get_settings().data_dir) / "attachments")
