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
