"""The role sets live in ``peduli.auth.roles`` only: no domain writes its own."""

from __future__ import annotations

import re
from pathlib import Path

import peduli
from peduli.auth import roles

# Roles in a set, tuple or list literal (one or more): a role set.
ROLE_SET = re.compile(r"frozenset\(\{\s*Role\.|[{(\[]\s*Role\.\w+(?:\.value)?\s*,")
SOURCE = Path(peduli.__file__).parent


def test_no_module_but_auth_roles_writes_a_role_set() -> None:
    found = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in sorted(SOURCE.rglob("*.py"))
        if path != Path(roles.__file__)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ROLE_SET.search(line)
    ]
    assert found == [], "import the set from peduli.auth.roles"


def test_the_named_sets_say_who_works_where() -> None:
    assert {roles.Role.OFFICER, roles.Role.SUPERVISOR, roles.Role.HQ_ADMIN} == roles.RECORD_WORKERS
    assert roles.Role.HQ_ANALYST not in roles.RECORD_WORKERS  # figures only, never a record
    assert roles.CRISIS_DECLARERS == roles.BROADCASTERS == {
        roles.Role.SUPERVISOR, roles.Role.HQ_ADMIN
    }  # fmt: skip
    assert {roles.Role.HQ_ADMIN} == roles.DEAD_LETTER_RETRIERS
