"""The marks of a test that starts the layout (nginx and PostgreSQL clusters of its own)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Once per CI run, the clusters being the test's own anyway: on the PostgreSQL leg of
# scripts/test.sh, which runs fewer tests and ends minutes before the SQLite leg (its
# ``--database-tests-only`` keeps the tests marked ``own_clusters``). Run alone, they run.
ONCE_WITH_OWN_CLUSTERS = [
    pytest.mark.slow,
    pytest.mark.own_clusters,
    pytest.mark.skipif(
        os.environ.get("PEDULI_TEST_LEG") == "sqlite",
        reason="the layout makes its own clusters: run once, on the PostgreSQL leg",
    ),
    pytest.mark.skipif(
        not (Path("/usr/sbin/nginx").exists() and list(Path("/usr/lib/postgresql").glob("*/bin"))),
        reason="needs Debian's nginx and PostgreSQL (scripts/setup.sh)",
    ),
]
