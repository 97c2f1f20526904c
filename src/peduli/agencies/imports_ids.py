"""The ids a staged row would give the records it creates, drawn once per row."""

from __future__ import annotations

import os


def new_ids() -> str:
    """Four random (version 4) UUIDs as 32 hex digits each, one after the other: the new
    person's, stay's, passport's and phone's, should the row create them. Text, not
    ``uuid.UUID``: a million rows pay for four objects each, and COPY reads the text
    (``imports_staging`` turns them into UUIDs for SQLite)."""
    ids = bytearray(os.urandom(64))
    for start in range(0, 64, 16):
        ids[start + 6] = ids[start + 6] & 0x0F | 0x40  # version 4
        ids[start + 8] = ids[start + 8] & 0x3F | 0x80  # RFC 4122 variant
    return ids.hex()
