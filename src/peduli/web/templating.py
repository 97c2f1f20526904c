"""The one Jinja2 environment of every page: autoescaped, i18n-ready, with shared filters."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

# Stand-alone runs of 4 to 8 digits: one-time codes, so a reader finds them at a glance.
_CODE = re.compile(r"(?<![\w-])(\d{4,8})(?![\w-])")


def highlight_codes(text: str) -> Markup:
    """Escape ``text`` and wrap one-time codes in it in ``<mark class="code">``."""
    parts = _CODE.split(text)  # odd positions hold the codes
    return Markup("").join(
        Markup('<mark class="code">{}</mark>').format(part) if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )


def format_utc(moment: datetime | None) -> str:
    """A timestamp as ``2026-11-24 20:16:39 UTC`` (pages in a locale format their own)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else ""


def make_environment() -> jinja2.Environment:
    """A fresh environment with the shared filters; pages install a catalogue on it."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    # Until a request installs the reader's catalogue, {% trans %} and _() return the source.
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["highlight_codes"] = highlight_codes
    env.filters["utc"] = format_utc
    return env


templates = Jinja2Templates(env=make_environment())


def mount_static(app: FastAPI) -> None:
    """Serve the stylesheet and other static files under ``/static``."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
