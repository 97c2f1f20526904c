"""Every page is compiled once, before the first request, and shared by every language."""

from __future__ import annotations

from typing import Any, NoReturn

import jinja2
import pytest

from peduli.web import i18n
from peduli.web.rendering import compile_every_page, templates_for
from peduli.web.templating import make_environment


def _never_compile(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise AssertionError("compiled on demand")


def test_after_start_up_no_language_compiles_a_page_again(monkeypatch: pytest.MonkeyPatch) -> None:
    compile_every_page()
    monkeypatch.setattr(jinja2.Environment, "compile", _never_compile)
    names = make_environment().list_templates(extensions=["html"])
    assert len(names) > 100
    for language in i18n.LANGUAGES:
        env = templates_for(language).env
        for name in names:
            env.get_template(name)  # from the environment's own cache
    fresh = make_environment()  # a language's environment made later
    for name in names:
        fresh.get_template(name)  # from the compiled templates every environment shares
