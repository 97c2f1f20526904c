"""The marks of a test that starts the layout (nginx and PostgreSQL clusters of its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

# Once per CI run, the clusters being the test's own anyway: scripts/test.sh leaves the
# tests marked ``own_clusters`` out of its SQLite leg, and the PostgreSQL leg's
# ``--database-tests-only`` keeps them. Run alone, they run.
ONCE_WITH_OWN_CLUSTERS = [
    pytest.mark.slow,
    pytest.mark.own_clusters,
    pytest.mark.skipif(
        not (Path("/usr/sbin/nginx").exists() and list(Path("/usr/lib/postgresql").glob("*/bin"))),
        reason="needs Debian's nginx and PostgreSQL (scripts/setup.sh)",
    ),
]
