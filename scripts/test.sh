#!/usr/bin/env bash
# The whole test suite, on SQLite and on PostgreSQL, from a fresh machine.
# Usage: scripts/test.sh [pytest args…]   (the README's test command)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

PG_URL_BASE="${PEDULI_PG_URL_BASE:-postgresql+psycopg://postgres@127.0.0.1:5432}"
PG_DB="${PEDULI_PG_TEST_DB:-peduli_ci}"

echo "== lint and types"
.venv/bin/ruff format --check .
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports

echo "== tests on SQLite"
.venv/bin/pytest -q -p no:cacheprovider "$@"

echo "== tests on PostgreSQL ($PG_DB)"
psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
  -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
PEDULI_TEST_DATABASE_URL="$PG_URL_BASE/$PG_DB" .venv/bin/pytest -q -p no:cacheprovider "$@"
