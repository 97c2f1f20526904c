"""The marks of a test that starts the layout (nginx and PostgreSQL clusters of its own)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Once per CI run: on the SQLite leg, since the clusters are the test's own anyway.
ONCE_WITH_OWN_CLUSTERS = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("PEDULI_TEST_DATABASE_URL")),
        reason="the layout makes its own clusters: run once, on the SQLite leg",
    ),
    pytest.mark.skipif(
        not (Path("/usr/sbin/nginx").exists() and list(Path("/usr/lib/postgresql").glob("*/bin"))),
        reason="needs Debian's nginx and PostgreSQL (scripts/setup.sh)",
    ),
]
