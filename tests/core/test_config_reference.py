"""docs/configuration.md is what ``peduli config reference`` writes from the settings class."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from peduli.cli.main import app
from peduli.core.config import Settings
from peduli.core.config_reference import reference, setting_comments

COMMITTED = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_the_committed_reference_is_up_to_date() -> None:
    assert COMMITTED.read_text("utf-8") == reference(), (
        "regenerate it: peduli config reference > docs/configuration.md"
    )


def test_the_command_prints_the_reference() -> None:
    result = CliRunner().invoke(app, ["config", "reference"])
    assert result.exit_code == 0
    assert result.output == reference()


def test_every_setting_says_what_it_means() -> None:
    """A setting added without a comment in core/config.py fails here (write one above it)."""
    meanings = setting_comments()
    assert sorted(meanings) == sorted(Settings.model_fields)
    assert [name for name, meaning in meanings.items() if not meaning] == []


def test_secrets_never_show_their_development_value() -> None:
    text = reference()
    assert "peduli-development-secret" not in text
    assert "| `PEDULI_SECRET_KEY` | str | (development value) |" in text
    assert "| `PEDULI_READ_DATABASE_URL` | str | empty | A streaming replica" in text
