"""Fault drills on the production layout (``scripts/layout.sh``), each a command that prints
its figures and a PASS or FAIL verdict (docs/drills.md):

    python -m benchmarks.drills.pg_restart   PostgreSQL stopped in immediate mode mid-load
    python -m benchmarks.drills.promote      the replica promoted while writes go on
    python -m benchmarks.drills.restore      base backup + WAL archive, restored to a point

Python rather than shell: the writer load is concurrent HTTP with a ledger of what was
acknowledged, the checks read the database, and the CI tests call the same functions.
"""
