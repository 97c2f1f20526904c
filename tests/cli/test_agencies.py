"""``peduli agencies``: the demo's export matches the demo's people, its dry run reports
links, new people and mistakes, and the real run writes them (a newcomer's walk-through)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from peduli.cli.main import app
from peduli.core.db import session_scope
from peduli.registry.models import Person, Stay
from tests.agencies.exports import data_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("data_dir")


def _people() -> tuple[int, int]:
    with session_scope() as db:
        return (
            db.scalar(select(func.count()).select_from(Person)) or 0,
            db.scalar(select(func.count()).select_from(Stay).where(Stay.source == "bp2mi")) or 0,
        )


def test_the_demo_export_dry_run_then_real_run(clean_engine: Engine, tmp_path: Path) -> None:
    runner = CliRunner()
    seeded = runner.invoke(app, ["seed", "--citizens", "400", "--seed", "2026"])
    assert seeded.exit_code == 0, seeded.output
    export = tmp_path / "bp2mi.csv"
    written = runner.invoke(
        app, ["agencies", "demo-export", str(export), "--citizens", "400", "--seed", "2026"]
    )
    assert written.exit_code == 0, written.output
    people = _people()[0]

    dry = runner.invoke(app, ["agencies", "import", str(export), "--dry-run"])

    assert dry.exit_code == 0, dry.output
    assert "Status: done" in dry.output
    linked = int(dry.output.split(" to link")[0].rsplit(", ", 1)[1])
    assert linked > 30  # the seeded workers are found by their NIK
    assert "40 to create" in dry.output and "6 refused" in dry.output
    assert "is not a date" in dry.output and "An earlier row of the file" in dry.output
    assert _people() == (people, 0)

    real = runner.invoke(app, ["agencies", "import", str(export), "--real"])

    assert real.exit_code == 0, real.output
    assert f"Written: 40 created, 0 updated, {linked} linked" in real.output
    assert _people() == (people + 40, 40 + linked)


def test_a_file_that_is_no_export_is_refused_with_the_reason(
    clean_engine: Engine, tmp_path: Path
) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(16))

    refused = CliRunner().invoke(app, ["agencies", "import", str(picture)])

    assert refused.exit_code == 1
    assert "neither a CSV file nor an Excel workbook" in refused.output
