#!/usr/bin/env bash
# The whole test suite, on SQLite and on PostgreSQL, from a fresh machine.
# Usage: scripts/test.sh [--slow] [pytest args…]   (the README's test command)
#
# The two databases run side by side, each suite spread over PEDULI_TEST_WORKERS pytest-xdist
# workers (2: one per core; every worker has a database of its own, see tests/conftest.py).
# A worker takes whole test files, so a module's shared world is built once. The browser
# tests drive the same pages whatever the database, and the tests that never touch the
# database (about 800: validators, catalogues, reference data) behave the same on both, so
# they run once, on SQLite, the embedded default. The tests that start clusters of their own
# (the layout's scripts, marked own_clusters) run once too, on the PostgreSQL leg, which has
# fewer tests and would otherwise end minutes before the SQLite one.
#
# --slow: the fuzz tests only (-m fuzz), with ten times the examples and fresh random seeds
# (PEDULI_FUZZ_SCALE, tests/fuzzing.py) instead of CI's fixed ones.
set -euo pipefail
cd "$(dirname "$0")/.."

sqlite_tests=(-m "not own_clusters") postgres_tests=(-m "not browser" --database-tests-only)
if [ "${1:-}" = "--slow" ]; then
  shift
  export PEDULI_FUZZ_SCALE="${PEDULI_FUZZ_SCALE:-10}"
  sqlite_tests=(-m fuzz) postgres_tests=(-m "fuzz and not browser" --database-tests-only)
fi

scripts/setup.sh

PG_URL_BASE="${PEDULI_PG_URL_BASE:-postgresql+psycopg://postgres@127.0.0.1:5432}"
PG_DB="${PEDULI_PG_TEST_DB:-peduli_ci}"
WORKERS="${PEDULI_TEST_WORKERS:-2}"
LOGS="$(mktemp -d)"

echo "== lint and types"
.venv/bin/ruff format --check .
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports

# The workers create, migrate and drop their own databases beside this one (${PG_DB}_gw0…).
psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
  -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"

pytest=(.venv/bin/pytest -q -p no:cacheprovider --durations=15 -n "$WORKERS" --dist loadfile)
echo "== tests on SQLite and on PostgreSQL ($PG_DB), side by side, $WORKERS workers each"
"${pytest[@]}" "${sqlite_tests[@]}" "$@" >"$LOGS/sqlite.log" 2>&1 &
sqlite_pid=$!
PEDULI_TEST_DATABASE_URL="$PG_URL_BASE/$PG_DB" \
  "${pytest[@]}" "${postgres_tests[@]}" "$@" >"$LOGS/postgres.log" 2>&1 &
postgres_pid=$!

status=0
wait "$sqlite_pid" || status=1
echo "== SQLite"
cat "$LOGS/sqlite.log"
wait "$postgres_pid" || status=1
echo "== PostgreSQL"
cat "$LOGS/postgres.log"
exit "$status"
