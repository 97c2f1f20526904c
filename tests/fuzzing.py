"""How hard the property and schema fuzz tests search: the same examples on every CI run,
many more, freshly drawn, in the slow job.

CI (``PEDULI_FUZZ_SCALE`` unset or 1): every Hypothesis test is derandomized (a fixed seed
per test, no example database), so a failure repeats on the next run and on any machine.
The slow job (``scripts/test.sh --slow`` sets ``PEDULI_FUZZ_SCALE=10``) runs the tests marked
``fuzz`` with ten times the examples and random seeds; a failure prints the
``@reproduce_failure`` line that replays it.
"""

from __future__ import annotations

import os

from hypothesis import settings

FUZZ_SCALE = max(1, int(os.environ.get("PEDULI_FUZZ_SCALE", "1")))
HYPOTHESIS_DEFAULT_EXAMPLES = 100


def examples(in_ci: int) -> int:
    """The examples a fuzz test draws: ``in_ci`` in CI, ``FUZZ_SCALE`` times as many when slow."""
    return in_ci * FUZZ_SCALE


def load_hypothesis_profile() -> None:
    """Fix the seeds in CI; draw fresh ones, and more of them, in the slow job.

    No deadline: a loaded CI machine makes a fast example slow now and then, which says
    nothing about the code under test.
    """
    settings.register_profile("ci", derandomize=True, database=None, deadline=None)
    settings.register_profile(
        "slow",
        max_examples=examples(HYPOTHESIS_DEFAULT_EXAMPLES),
        database=None,
        deadline=None,
        print_blob=True,
    )
    settings.load_profile("ci" if FUZZ_SCALE == 1 else "slow")
