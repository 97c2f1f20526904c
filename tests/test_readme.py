"""The README's first screen and demo table stay true to the code."""

from __future__ import annotations

from pathlib import Path

from peduli.demo.staff import DEMO_PASSWORD, DEMO_STAFF

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_first_screen_has_the_two_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:15])
    assert "peduli demo" in first_screen
    assert "scripts/test.sh" in first_screen
    assert "scripts/test.sh" in (Path(__file__).parent.parent / ".ci" / "run").read_text()


def test_every_demo_account_is_listed_with_its_key() -> None:
    assert f"`{DEMO_PASSWORD}`" in README
    for staff in DEMO_STAFF:
        assert staff.email in README
        if staff.totp_secret:
            assert staff.totp_secret in README


def test_every_page_the_readme_links_to_exists(client) -> None:  # type: ignore[no-untyped-def]
    """Each demo URL in "What is here" is a GET route of the app (none is a dead link)."""
    import re

    from starlette.routing import Match

    # A query string chooses within a page; the route is the path before it.
    paths = set(re.findall(r"http://127\.0\.0\.1:8000(/[^)\s>?]*)", README)) - {"/docs"}
    assert {"/lapor-diri", "/saya", "/officer/crises", "/officer/roster"} <= paths
    for path in sorted(paths):
        scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
        matches = [route.matches(scope)[0] for route in client.app.routes]
        assert Match.FULL in matches, f"README links to {path}, which the app does not serve"


def test_every_command_the_readme_lists_exists() -> None:
    """Each `peduli …` command in the commands table is a command of the CLI."""
    import re

    from typer.main import get_command

    from peduli.cli.main import app

    cli = get_command(app)
    for line in README.splitlines():
        if not line.startswith("| `peduli "):
            continue
        for words in re.findall(r"`peduli ([a-z0-9-]+(?: [a-z0-9-]+)?)", line):
            group, _, sub = words.partition(" ")
            command = cli.commands.get(group)  # type: ignore[attr-defined]
            assert command is not None, f"no command peduli {group}"
            if sub and hasattr(command, "commands"):
                assert sub in command.commands, f"no command peduli {words}"
