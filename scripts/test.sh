#!/usr/bin/env bash
# The whole test suite, on SQLite and on PostgreSQL, from a fresh machine.
# Usage: scripts/test.sh [pytest args…]   (the README's test command)
#
# The two databases run side by side (one per core); the browser tests drive the same pages
# whatever the database, so they run once, on SQLite, the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

PG_URL_BASE="${PEDULI_PG_URL_BASE:-postgresql+psycopg://postgres@127.0.0.1:5432}"
PG_DB="${PEDULI_PG_TEST_DB:-peduli_ci}"
LOGS="$(mktemp -d)"

echo "== lint and types"
.venv/bin/ruff format --check .
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports

psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
  -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"

echo "== tests on SQLite and on PostgreSQL ($PG_DB), side by side"
.venv/bin/pytest -q -p no:cacheprovider --durations=15 "$@" >"$LOGS/sqlite.log" 2>&1 &
sqlite_pid=$!
PEDULI_TEST_DATABASE_URL="$PG_URL_BASE/$PG_DB" \
  .venv/bin/pytest -q -p no:cacheprovider --durations=15 -m "not browser" "$@" \
  >"$LOGS/postgres.log" 2>&1 &
postgres_pid=$!

status=0
wait "$sqlite_pid" || status=1
echo "== SQLite"
cat "$LOGS/sqlite.log"
wait "$postgres_pid" || status=1
echo "== PostgreSQL"
cat "$LOGS/postgres.log"
exit "$status"
