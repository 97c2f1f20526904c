"""The ids a staged row would give the records it creates, drawn once per row.

Time-ordered (UUID version 7: the millisecond, then 74 random bits), not version 4: an import
writes a million people, passports, phones and stays, and each of their primary keys, and the
``person_id`` indexes of the last three, took a random UUID's insert at a random leaf of a
B-tree larger than PostgreSQL's shared buffers (a page read, dirtied and, after each
checkpoint, written whole to the WAL, per key). Ids of the same moment land on the same few
leaves at the right of each index. Still unguessable (74 random bits); an id tells when its
row was read, which the record's ``created_at`` tells anyone who can read the record.
"""

from __future__ import annotations

import os
import time


def new_ids() -> str:
    """Four UUIDs (version 7) as 32 hex digits each, one after the other: the new person's,
    stay's, passport's and phone's, should the row create them. Text, not ``uuid.UUID``: a
    million rows pay for four objects each, and COPY reads the text (``imports_staging``
    turns them into UUIDs for SQLite)."""
    moment = (time.time_ns() // 1_000_000).to_bytes(6, "big")
    ids = bytearray(os.urandom(64))
    for start in range(0, 64, 16):
        ids[start : start + 6] = moment
        ids[start + 6] = ids[start + 6] & 0x0F | 0x70  # version 7
        ids[start + 8] = ids[start + 8] & 0x3F | 0x80  # RFC 4122 variant
    return ids.hex()
