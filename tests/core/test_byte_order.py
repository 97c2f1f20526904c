"""Blind indexes, name keys and blocking keys compare byte by byte: ``COLLATE "C"`` on
PostgreSQL, SQLite's own byte order there."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from peduli.core.byte_order import byte_ordered
from peduli.core.db import is_postgres

LINK_KEYS = ("link_token_a", "link_token_b", "link_name_year", "link_name_day", "link_region",
             "link_initials")  # fmt: skip
BYTE_ORDERED = {
    "person": ("nik_index", "name_key", *LINK_KEYS),
    "passport": ("number_index",),
    "contact_point": ("value_index",),
    "agency_import_row": ("nik_index", "passport_index", "phone_index", "name_key", *LINK_KEYS),
    "voter_entry": ("nik_index",),
}


def test_the_type_is_collated_c_on_postgresql_only() -> None:
    assert byte_ordered(64).compile(dialect=postgresql.dialect()) == 'VARCHAR(64) COLLATE "C"'
    assert byte_ordered(64).compile(dialect=sqlite.dialect()) == "VARCHAR(64)"


def test_the_registry_and_the_import_staging_keep_their_keys_in_byte_order(db: Session) -> None:
    if not is_postgres(db):
        pytest.skip("SQLite compares text byte by byte already")
    collated = {
        (table, column): collation
        for table, column, collation in db.execute(
            text(
                "SELECT table_name, column_name, collation_name FROM information_schema.columns"
                " WHERE table_schema = 'public' AND table_name = ANY(:tables)"
            ),
            {"tables": list(BYTE_ORDERED)},
        )
    }
    wanted = {(table, column) for table, columns in BYTE_ORDERED.items() for column in columns}
    assert {key: collated[key] for key in wanted} == dict.fromkeys(wanted, "C")
    # Names people read are still compared as the database's collation says.
    assert collated[("person", "full_name")] is None
