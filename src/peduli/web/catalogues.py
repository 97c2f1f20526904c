"""Keep the translation catalogues in step with the source (``peduli i18n update``).

Each area has its own ``.po`` file per language so that people working on different pages
never edit the same file: ``core`` holds every message of the Python code (domain errors,
page handlers), ``shared`` the common templates, ``citizen`` and ``officer`` their pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from peduli.web.i18n import LANGUAGES, LOCALE_DIR

PACKAGE_DIR = Path(__file__).parent.parent
TEMPLATES = "web/templates"
JINJA = ("jinja2.ext:babel_extract", {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"})
SOURCE_LANGUAGE = "en"  # the source strings are English; other languages are translated
TRANSLATED_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)


@dataclass(frozen=True)
class Area:
    name: str
    method_map: list[tuple[str, str]]


# Domains that own their messages (Python and templates/<domain>/), so that work on one
# domain never touches another's catalogue; everything else is ``core``.
DOMAIN_AREAS = (
    "cases", "partners", "crisis", "emergency", "stats", "voice", "conversations", "agencies",
    "services", "documents", "elections",
)  # fmt: skip
# Domains whose pages have a catalogue of their own (``<domain>_pages``); the pages of the
# others share their domain's catalogue.
PAGES_AREAS = ("cases",)


def _domain_area(name: str) -> Area:
    own_pages = (
        [(f"{name}/pages/**", "ignore"), (f"{TEMPLATES}/{name}/pages/**", "ignore")]
        if name in PAGES_AREAS
        else []
    )
    return Area(
        name,
        [*own_pages, (f"{name}/**.py", "python"), (f"{TEMPLATES}/{name}/**.html", "jinja")],
    )


def _pages_area(name: str) -> Area:
    """A domain's pages (``<domain>/pages/``, ``templates/<domain>/pages/``), apart."""
    return Area(
        f"{name}_pages",
        [(f"{name}/pages/**.py", "python"), (f"{TEMPLATES}/{name}/pages/**.html", "jinja")],
    )


AREAS = (
    Area(
        "core",
        [("**/migrations/**", "ignore")]
        + [(f"{name}/**", "ignore") for name in DOMAIN_AREAS]
        + [("**.py", "python")],
    ),
    Area("shared", [(f"{TEMPLATES}/*.html", "jinja"), (f"{TEMPLATES}/notify/**.html", "jinja")]),
    Area("citizen", [(f"{TEMPLATES}/citizen/**.html", "jinja")]),
    Area("officer", [(f"{TEMPLATES}/officer/**.html", "jinja")]),
    *(_domain_area(name) for name in DOMAIN_AREAS),
    *(_pages_area(name) for name in PAGES_AREAS),
)
_PLACEHOLDER = re.compile(r"\{(\w*)\}|%\((\w+)\)s")


def extract(area: Area) -> Catalog:
    """The messages the source holds today for ``area``."""
    catalog = Catalog(locale=SOURCE_LANGUAGE, project="Peduli")
    methods = {"python": "python", "jinja": JINJA[0]}
    method_map = [(pattern, methods.get(kind, kind)) for pattern, kind in area.method_map]
    options = {pattern: JINJA[1] for pattern, kind in area.method_map if kind == "jinja"}
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE_DIR, method_map, options, keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(area: Area, language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{area.name}.po"


def update(area: Area) -> None:
    """Add new messages to every language's file (untranslated) and drop vanished ones."""
    template = extract(area)
    for language in TRANSLATED_LANGUAGES:
        path = po_path(area, language)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            catalog = Catalog(locale=language, project="Peduli")
        # A stable header and no line numbers: the file changes only when messages do, so
        # work on different pages never conflicts over it.
        template.creation_date = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, sort_output=True, width=100, include_lineno=False)


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in _PLACEHOLDER.findall(text)}


@dataclass(frozen=True)
class Gap:
    area: str
    language: str
    msgid: str
    problem: str


def gaps(area: Area) -> Iterator[Gap]:
    """Messages a language lacks or translates with other placeholders than the source."""
    template = extract(area)
    for language in TRANSLATED_LANGUAGES:
        path = po_path(area, language)
        translated: dict[str, Message] = {}
        if path.exists():
            with path.open("rb") as handle:
                translated = {str(m.id): m for m in read_po(handle, locale=language) if m.id}
        for message in template:
            if not message.id:
                continue
            yield from _message_gaps(area, language, message, translated.get(str(message.id)))


def _message_gaps(
    area: Area, language: str, source: Message, found: Message | None
) -> Iterator[Gap]:
    msgid = str(source.id if isinstance(source.id, str) else source.id[0])
    if found is None:
        yield Gap(area.name, language, msgid, "missing")
        return
    strings = found.string if isinstance(found.string, tuple) else (found.string,)
    if not all(strings):
        yield Gap(area.name, language, msgid, "missing")
        return
    if found.fuzzy:
        yield Gap(area.name, language, msgid, "fuzzy")
    for string in strings:
        if placeholders(str(string)) != placeholders(msgid):
            yield Gap(area.name, language, msgid, f"placeholders differ: {string!r}")
