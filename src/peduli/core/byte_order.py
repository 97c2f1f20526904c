"""Text the application makes to be matched, never read: blind indexes, name keys, blocking keys.

Such a column is compared for equality (and sorted only to be grouped), so byte order is all
it needs. PostgreSQL compares text through the database's collation unless the column says
``COLLATE "C"``: under ``C.UTF-8`` or ``en_US.UTF-8`` every comparison of a B-tree insert or
look-up goes through ``strcoll``, under ``C`` it is a ``memcmp`` with abbreviated keys. For
lowercase ASCII and hex digits, which these columns hold, ``C.UTF-8`` sorts them the same way
as ``C``. SQLite compares bytes already (and knows no collation named ``C``).

Columns compared with one another (the import's staged blind indexes with the registry's,
a voter entry's NIK index with a person's) are declared alike: a comparison of a ``C`` column
with one of the database's collation is made in ``C``, which the other column's index cannot
serve.
"""

from __future__ import annotations

from sqlalchemy import String


def byte_ordered(length: int) -> String:
    """A ``String(length)`` compared byte by byte on every database."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")
