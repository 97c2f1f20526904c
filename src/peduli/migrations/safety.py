"""Migrations that never lock a large table for long: the rules every new revision obeys.

The initial revision creates every table while they are empty; it is regenerated from the
models until the first release (``regen.py``). Each revision after it changes tables that
may hold millions of rows while the platform serves, and PostgreSQL takes an ACCESS
EXCLUSIVE lock for most ``ALTER TABLE`` forms: fine for an instant, an outage when the
statement rewrites or scans the table. So each later revision is rendered as the SQL it
would run on PostgreSQL and checked, statement by statement, against these rules (tables
the same revision creates are exempt: they are empty):

- ``ADD COLUMN … NOT NULL`` needs a ``DEFAULT`` (a constant default is instant since
  PostgreSQL 11; without one the statement fails on a table with rows, or needs a backfill
  under lock). Add it nullable, backfill in batches, then add a ``CHECK … NOT VALID`` and
  ``VALIDATE`` it.
- ``CREATE INDEX`` on an existing table is ``CONCURRENTLY`` (in
  ``op.get_context().autocommit_block()``, with ``postgresql_concurrently=True``).
- no ``ALTER COLUMN … TYPE`` (rewrites the table and every index): add a new column,
  backfill it, switch reads, drop the old one in a later release.
- no ``ALTER COLUMN … SET NOT NULL`` (scans the table under the lock): a ``CHECK (c IS NOT
  NULL) NOT VALID`` and a separate ``VALIDATE CONSTRAINT`` instead.
- ``ADD CONSTRAINT … FOREIGN KEY`` or ``CHECK`` is ``NOT VALID``, validated in a later
  statement (``VALIDATE`` takes a lock that lets reads and writes go on).
- ``ADD CONSTRAINT … UNIQUE`` or ``PRIMARY KEY`` comes ``USING INDEX`` of an index built
  concurrently before.

``tests/migrations/test_safety.py`` runs ``violations()`` over every revision in the
repository, and over sample bad revisions to show that the rules bite.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import Script, ScriptDirectory

from peduli.migrations.runner import MIGRATIONS_DIR


@dataclass(frozen=True)
class Violation:
    revision: str
    rule: str
    statement: str

    def __str__(self) -> str:
        return f"{self.revision}: {self.rule}: {self.statement}"


_NAME = r'"?([\w.]+)"?'
_CREATE_TABLE = re.compile(rf"^CREATE TABLE (?:IF NOT EXISTS )?{_NAME}", re.I)
_CREATE_INDEX = re.compile(
    rf"^CREATE (?:UNIQUE )?INDEX (CONCURRENTLY )?(?:IF NOT EXISTS )?\S+ ON (?:ONLY )?{_NAME}", re.I
)
_ALTER_TABLE = re.compile(rf"^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?{_NAME}\s+(.*)$", re.I | re.S)


def rendered_sql(script: Script) -> list[str]:
    """The statements ``script``'s upgrade runs on PostgreSQL, rendered without a database."""
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="postgresql",
        opts={"as_sql": True, "output_buffer": buffer, "literal_binds": True},
    )
    with Operations.context(context):
        script.module.upgrade()
    text = buffer.getvalue()
    return [s.strip() for s in re.split(r";\s*\n", text) if s.strip()]


def statement_violations(revision: str, statements: list[str]) -> list[Violation]:
    """What in ``statements`` would hold a lock on an existing table for long."""
    created = {match.group(1).lower() for s in statements if (match := _CREATE_TABLE.match(s))}
    found: list[Violation] = []

    def flag(rule: str, statement: str) -> None:
        found.append(Violation(revision, rule, " ".join(statement.split())))

    for statement in statements:
        if index := _CREATE_INDEX.match(statement):
            if not index.group(1) and index.group(2).lower() not in created:
                flag("index an existing table CONCURRENTLY", statement)
            continue
        alter = _ALTER_TABLE.match(statement)
        if alter is None or alter.group(1).lower() in created:
            continue
        action = " ".join(alter.group(2).upper().split())
        for clause in re.split(r",\s*(?=(?:ADD|ALTER|DROP)\b)", action):
            for rule in _broken(clause):
                flag(rule, statement)
    return found


def _broken(clause: str) -> list[str]:
    """The rules one clause of an ``ALTER TABLE`` on an existing table breaks."""
    rules = []
    adds_column = clause.startswith("ADD ") and "CONSTRAINT" not in clause.split("NOT NULL")[0]
    if adds_column and "NOT NULL" in clause and " DEFAULT " not in clause:
        rules.append("a NOT NULL column needs a DEFAULT")
    if re.search(r"ALTER (?:COLUMN )?\S+ (?:SET DATA )?TYPE ", clause):
        rules.append("no column type change (rewrites the table)")
    if re.search(r"ALTER (?:COLUMN )?\S+ SET NOT NULL", clause):
        rules.append("no SET NOT NULL (use a CHECK … NOT VALID, then VALIDATE)")
    validated = "NOT VALID" in clause
    if re.search(r"ADD (?:CONSTRAINT \S+ )?(?:FOREIGN KEY|CHECK)", clause) and not validated:
        rules.append("a foreign key or check is added NOT VALID")
    if re.search(r"ADD (?:CONSTRAINT \S+ )?(?:UNIQUE|PRIMARY KEY)", clause) and (
        "USING INDEX" not in clause
    ):
        rules.append("unique and primary keys come USING INDEX built concurrently")
    return rules


def violations(migrations_dir: Path = MIGRATIONS_DIR) -> list[Violation]:
    """Every rule broken by a revision after the initial one (``down_revision`` None)."""
    scripts = ScriptDirectory(str(migrations_dir))
    found: list[Violation] = []
    for script in scripts.walk_revisions():
        if script.down_revision is None:
            continue  # the initial schema: every table is new and empty
        found += statement_violations(script.revision, rendered_sql(script))
    return found
