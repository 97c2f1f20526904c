"""``peduli stats publish``: a finished month is published once; a bad month is refused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from peduli.cli.main import app
from peduli.core.db import session_scope
from peduli.stats.release_models import OpenDataCell
from tests.stats.population import SMALL_GROUPS, add_people


def test_publish_a_month_once(clean_engine: Engine) -> None:
    with session_scope() as db:
        add_people(db, SMALL_GROUPS)
    runner = CliRunner()
    published = runner.invoke(app, ["stats", "publish", "--month", "2026-11"])
    assert published.exit_code == 0, published.output
    assert "published open data for 2026-11" in published.output
    with session_scope() as db:
        rows = db.execute(select(OpenDataCell.code, OpenDataCell.value)).all()
        cells = dict(rows)
    assert "BN" in cells and cells["BN"] is None  # suppressed, yet listed
    assert cells["MY"] == 240
    again = runner.invoke(app, ["stats", "publish", "--month", "2026-11"])
    assert again.exit_code == 1 and "already published" in again.output
    bad = runner.invoke(app, ["stats", "publish", "--month", "November"])
    assert bad.exit_code == 1 and "YYYY-MM" in bad.output
