"""What a person's name may contain: no control characters, no bidirectional overrides.

A name is shown to officers, printed on proofs and sent in messages. A control character
(a newline, a NUL, an escape) breaks lines and logs; a bidirectional control (the
embeddings and overrides U+202A-U+202E, the isolates U+2066-U+2069, the marks U+200E/F
and U+061C) turns the text around it so that "Siti" may show as something else on
screen, as in "Trojan Source" attacks. Names of every script are welcome; these
invisible characters are not.
"""

from __future__ import annotations

import unicodedata

from peduli.core.errors import FieldProblem
from peduli.core.i18n import _

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def refused_character(value: str) -> str | None:
    """The first character a name may not hold (a control or bidi control), or None."""
    for char in value:
        if char in BIDI_CONTROLS or unicodedata.category(char) == "Cc":
            return char
    return None


def name_problems(value: str | None, *, field: str) -> list[FieldProblem]:
    """One problem naming the refused character, or none; an absent name is not checked."""
    char = refused_character(value or "")
    if char is None:
        return []
    return [
        FieldProblem(
            field,
            "name_invalid_character",
            _("The name contains an invisible control character ({code}).").format(
                code=f"U+{ord(char):04X}"
            ),
            _("Type the name again by hand, without copying it from elsewhere."),
        )
    ]
