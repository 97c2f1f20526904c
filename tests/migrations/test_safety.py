"""Every revision after the initial one keeps large tables unlocked (migrations.safety)."""

from __future__ import annotations

import shutil
from pathlib import Path

from peduli.migrations.regen import INITIAL_REVISION_FILE
from peduli.migrations.runner import MIGRATIONS_DIR
from peduli.migrations.safety import violations

BAD = '''
"""A careless revision."""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("outbox_message", sa.Column("region", sa.String(8), nullable=False))
    op.create_index("ix_outbox_message_region", "outbox_message", ["region"])
    op.alter_column("outbox_message", "subject", type_=sa.Text())
    op.alter_column("outbox_message", "sender", nullable=False)
    op.create_foreign_key("fk_x", "outbox_message", "periodic_task_run", ["sender"], ["name"])
    op.create_unique_constraint("uq_outbox_message_region", "outbox_message", ["region"])
'''

GOOD = '''
"""A careful revision: new table indexed at once, existing table indexed concurrently."""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "brand_new",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("message_id", sa.BigInteger(), sa.ForeignKey("outbox_message.id")),
    )
    op.create_index("ix_brand_new_name", "brand_new", ["name"], unique=True)
    op.add_column("outbox_message", sa.Column("note", sa.Text(), nullable=True))
    op.add_column(
        "outbox_message",
        sa.Column("tries_left", sa.Integer(), nullable=False, server_default="3"),
    )
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_outbox_message_note", "outbox_message", ["note"], postgresql_concurrently=True
        )
    op.execute(
        "ALTER TABLE outbox_message ADD CONSTRAINT ck_note CHECK (note <> '') NOT VALID"
    )
    op.execute("ALTER TABLE outbox_message VALIDATE CONSTRAINT ck_note")
'''


def _migrations_with(tmp_path: Path, *revisions: tuple[str, str]) -> Path:
    versions = tmp_path / "versions"
    versions.mkdir()
    shutil.copy(MIGRATIONS_DIR / "versions" / INITIAL_REVISION_FILE, versions)
    for name, source in revisions:
        (versions / name).write_text(source, "utf-8")
    return tmp_path


def test_the_repositorys_revisions_keep_the_rules() -> None:
    assert [str(v) for v in violations()] == []


def test_a_careless_revision_is_refused_rule_by_rule(tmp_path: Path) -> None:
    found = violations(_migrations_with(tmp_path, ("2027_01_01_0002_bad.py", BAD)))
    assert {v.revision for v in found} == {"0002"}
    assert sorted(v.rule for v in found) == sorted(
        [
            "a NOT NULL column needs a DEFAULT",
            "index an existing table CONCURRENTLY",
            "no column type change (rewrites the table)",
            "no SET NOT NULL (use a CHECK … NOT VALID, then VALIDATE)",
            "a foreign key or check is added NOT VALID",
            "unique and primary keys come USING INDEX built concurrently",
        ]
    )


def test_a_careful_revision_passes_and_the_initial_schema_is_exempt(tmp_path: Path) -> None:
    found = violations(
        _migrations_with(
            tmp_path,
            ("2027_01_01_0002_bad.py", BAD),
            ("2027_01_02_0003_good.py", GOOD),
        )
    )
    assert {v.revision for v in found} == {"0002"}  # 0001 creates 100 tables, unflagged


def test_the_command_checks_the_repositorys_revisions() -> None:
    from typer.testing import CliRunner

    from peduli.cli.main import app

    result = CliRunner().invoke(app, ["db", "check-migrations"])
    assert result.exit_code == 0, result.output
    assert "every revision keeps large tables unlocked" in result.output
