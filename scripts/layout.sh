#!/usr/bin/env bash
# The production layout on one machine: nginx in front of N `peduli serve` processes, M
# `peduli worker` processes, a PostgreSQL primary and a streaming replica made with
# pg_basebackup, all under one state directory. docs/operations.md, "The production layout".
#
#   scripts/layout.sh start|stop|status|revive|promote [--purge (with stop: delete the state directory)]
#
# revive: start the app and worker processes that died, nothing else (what systemd's
# Restart=always does; the load test uses it).
# promote: fail over. The primary is stopped if it still runs (never two primaries), the
# replica is promoted and becomes the primary (remembered in pg/promoted), and the app and
# worker processes restart on it. There is no replica afterwards: make a new one from the
# new primary (docs/operations.md, "Promoting the replica").
#
# Settings (environment), with their defaults:
#   PEDULI_LAYOUT_DIR=/tmp/peduli-layout   state: clusters, logs, pids, nginx config, env file
#   PEDULI_LAYOUT_PORT=8480                nginx; the app processes listen on the next ports
#   PEDULI_LAYOUT_SERVE=2                  `peduli serve` processes (one Python process each)
#   PEDULI_LAYOUT_WORKERS=2                `peduli worker` processes
#   PEDULI_LAYOUT_PG_PORT=55432            the primary; the replica listens on the next port
#   PEDULI_LAYOUT_READY_SECONDS=90         how long `start` and `promote` wait for /readyz (a
#                                          busy machine starts Python processes slowly)
#   PEDULI_LAYOUT_ARCHIVE=                 1: archive the primary's WAL into wal-archive/ (for
#                                          point-in-time restores; set when the primary is made)
# Other PEDULI_* variables set when `start` runs are passed on to the processes.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${PEDULI_LAYOUT_DIR:-/tmp/peduli-layout}"
PORT="${PEDULI_LAYOUT_PORT:-8480}"
SERVE="${PEDULI_LAYOUT_SERVE:-2}"
WORKERS="${PEDULI_LAYOUT_WORKERS:-2}"
PG_PORT="${PEDULI_LAYOUT_PG_PORT:-55432}"
READY_SECONDS="${PEDULI_LAYOUT_READY_SECONDS:-90}"
REPLICA_PORT=$((PG_PORT + 1))
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
PEDULI="$ROOT/.venv/bin/peduli"
PRIMARY="$STATE/pg/primary"
REPLICA="$STATE/pg/replica"
SLOT=peduli_layout_replica
DATABASE=peduli
PRIMARY_URL="postgresql://postgres@127.0.0.1:$PG_PORT/$DATABASE"
REPLICA_URL="postgresql://postgres@127.0.0.1:$REPLICA_PORT/$DATABASE"
ARCHIVE="$STATE/wal-archive"
PROMOTED="$STATE/pg/promoted"
if [ -f "$PROMOTED" ]; then  # failed over: the old replica is the primary, and alone
  PRIMARY="$REPLICA" PG_PORT="$REPLICA_PORT" REPLICA=""
  PRIMARY_URL="$REPLICA_URL"
fi

say() { echo "== [${SECONDS}s] $*"; }

as_postgres() {  # PostgreSQL's programs refuse to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

psql_at() {  # psql_at PORT SQL: one value, unaligned
  "$PG_BIN/psql" -h 127.0.0.1 -p "$1" -U postgres -d "${3:-postgres}" -XAtq -c "$2"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq 1 $((seconds * 4))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  echo "timed out waiting for $what" >&2
  return 1
}

running() {  # running PID: a zombie is not (where no init reaps orphans, e.g. a container)
  kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]
}

alive() { [ -f "$1" ] && running "$(cat "$1")"; }

app_ports() { seq $((PORT + 1)) $((PORT + SERVE)); }

start_primary() {
  if [ ! -f "$PRIMARY/PG_VERSION" ]; then
    say "primary: initdb in $PRIMARY"
    as_postgres "$PG_BIN/initdb" -D "$PRIMARY" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$STATE/log/initdb.log"
    cat >>"$PRIMARY/postgresql.conf" <<CONF
# scripts/layout.sh
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$STATE/pg'
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
# A crisis writes a million recipients and messages in a minute or two beside everything
# else: with PostgreSQL's default 128 MB each 50,000-person run of the send read 127,000
# pages (1 GB) from outside PostgreSQL's buffers and wrote 4,000 out itself. A quarter of
# the machine's memory is the usual production setting; the layout shares its machine
# with the replica, the app and the load tool, so 2 GB each.
shared_buffers = 2GB
max_connections = 200
# A crisis writes gigabytes of WAL in minutes (a million recipients and messages, then each
# message's sent and delivered marks): with the default 1 GB a checkpoint came every 10-30 s
# in the load test, each followed by a burst of full-page writes.
max_wal_size = 4GB
# What an operator needs to find a stall afterwards: waits for a lock longer than
# deadlock_timeout (1 s), and statements that ran 5 s or more.
log_lock_waits = on
log_min_duration_statement = 5000
# And the plan of such a statement, as the planner chose it. With the rows each step read
# (log_analyze) it told the stall of the load test's first minute at once, but it counts
# every row of every statement; the plan's shape tells most slow statements too.
session_preload_libraries = 'auto_explain'
auto_explain.log_min_duration = '5s'
CONF
    if [ -n "${PEDULI_LAYOUT_ARCHIVE:-}" ]; then
      mkdir -p "$ARCHIVE"
      [ "$(id -u)" = 0 ] && chown postgres "$ARCHIVE"
      # Never overwrite a segment already archived (a second cluster writing the same names).
      cat >>"$PRIMARY/postgresql.conf" <<CONF
archive_mode = on
archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'
CONF
    fi
  fi
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$PRIMARY" status >/dev/null 2>&1; then
    say "primary: starting on port $PG_PORT"
    as_postgres "$PG_BIN/pg_ctl" -D "$PRIMARY" -l "$STATE/log/primary.log" -w -t 60 start >/dev/null
  fi
  if [ "$(psql_at "$PG_PORT" "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]; then
    psql_at "$PG_PORT" "CREATE DATABASE $DATABASE"
  fi
}

start_replica() {
  if [ ! -f "$REPLICA/PG_VERSION" ]; then
    say "replica: pg_basebackup from the primary (slot $SLOT)"
    if [ "$(psql_at "$PG_PORT" "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT'")" = 1 ]; then
      psql_at "$PG_PORT" "SELECT pg_drop_replication_slot('$SLOT')" >/dev/null
    fi
    as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$REPLICA" \
      -R -X stream -C -S "$SLOT" -c fast
    # The copy carries the primary's settings; the replica listens on its own port.
    echo "port = $REPLICA_PORT" | as_postgres tee -a "$REPLICA/postgresql.conf" >/dev/null
  fi
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA" status >/dev/null 2>&1; then
    say "replica: starting on port $REPLICA_PORT (hot standby, streaming)"
    as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA" -l "$STATE/log/replica.log" -w -t 60 start >/dev/null
  fi
}

write_env() {
  # What every process of the layout reads (sourced by bash): the caller's own PEDULI_*
  # settings first, then the layout's.
  local name
  {
    for name in $(compgen -e | grep -E '^PEDULI_' | grep -vE '^PEDULI_(LAYOUT_|DATABASE_URL$|READ_DATABASE_URL$)'); do
      printf 'export %s=%q\n' "$name" "${!name}"
    done
    printf 'export %s=%q\n' \
      PEDULI_DATABASE_URL "$PRIMARY_URL" \
      PEDULI_READ_DATABASE_URL "$REPLICA_URL" \
      PEDULI_TRUSTED_PROXIES 127.0.0.1/32 \
      PEDULI_LOG_FORMAT "${PEDULI_LOG_FORMAT:-json}" \
      PEDULI_DATA_DIR "${PEDULI_DATA_DIR:-$STATE/data}" \
      PROMETHEUS_MULTIPROC_DIR "$STATE/metrics"
  } >"$STATE/peduli.env"
}

run_with_env() {  # run_with_env COMMAND...: with the layout's settings
  ( set -a; . "$STATE/peduli.env"; exec "$@" )
}

spawn() {  # spawn PIDFILE LOG COMMAND...: in the background, its own pid in PIDFILE
  local pidfile=$1 log=$2
  shift 2
  ( set -a; . "$STATE/peduli.env"; echo "$BASHPID" >"$pidfile"; exec "$@" ) >>"$log" 2>&1 </dev/null &
}

spawn_serve() {
  spawn "$STATE/run/serve-$1.pid" "$STATE/log/serve-$1.log" \
    "$PEDULI" serve --host 127.0.0.1 --port "$1" --workers 1
}

spawn_worker() { spawn "$STATE/run/worker-$1.pid" "$STATE/log/worker-$1.log" "$PEDULI" worker; }

start_apps() {
  mkdir -p "$STATE/metrics"
  for port in $(app_ports); do
    alive "$STATE/run/serve-$port.pid" && continue
    port_free "$port" || { echo "port $port is taken; set PEDULI_LAYOUT_PORT" >&2; exit 1; }
    spawn_serve "$port"
  done
  for n in $(seq 1 "$WORKERS"); do
    alive "$STATE/run/worker-$n.pid" || spawn_worker "$n"
  done
  say "$SERVE serve process(es) on ports $(app_ports | paste -sd, -), $WORKERS worker(s)"
}

render_nginx() {
  local upstreams="" internal="        allow 127.0.0.1;"
  # max_fails=0: nginx never takes a process out of the rotation. With max_fails=1 the load
  # test and the drills saw "no live upstreams" 502s: a killed process and its neighbour's
  # 503s (database down) marked both out at once. A dead process refuses the connection at
  # once, nothing has been sent, so nginx passes even a POST to the next one.
  for port in $(app_ports); do
    upstreams+="    server 127.0.0.1:$port max_fails=0;"$'\n'
  done
  mkdir -p "$STATE/nginx/temp"
  local conf
  conf="$(cat "$ROOT/deploy/nginx/peduli.conf")"
  conf="${conf//@UPSTREAMS@/${upstreams%$'\n'}}"
  conf="${conf//@LISTEN@/127.0.0.1:$PORT}"
  conf="${conf//@ACCESS_LOG@/$STATE/log/nginx-access.log}"
  conf="${conf//@INTERNAL@/$internal}"
  printf '%s\n' "$conf" >"$STATE/nginx/peduli.conf"
  cat >"$STATE/nginx/nginx.conf" <<CONF
# Rendered by scripts/layout.sh from deploy/nginx/peduli.conf; do not edit.
worker_processes 1;
pid $STATE/run/nginx.pid;
error_log $STATE/log/nginx-error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $STATE/nginx/temp/body;
    proxy_temp_path $STATE/nginx/temp/proxy;
    fastcgi_temp_path $STATE/nginx/temp/fastcgi;
    uwsgi_temp_path $STATE/nginx/temp/uwsgi;
    scgi_temp_path $STATE/nginx/temp/scgi;
    include $STATE/nginx/peduli.conf;
}
CONF
  if [ "$(id -u)" = 0 ]; then sed -i '1a user root;' "$STATE/nginx/nginx.conf"; fi
}

start_nginx() {
  render_nginx
  /usr/sbin/nginx -t -q -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx/"
  if alive "$STATE/run/nginx.pid"; then
    /usr/sbin/nginx -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx/" -s reload
  else
    port_free "$PORT" || { echo "port $PORT is taken; set PEDULI_LAYOUT_PORT" >&2; exit 1; }
    /usr/sbin/nginx -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx/"
  fi
  say "nginx on http://127.0.0.1:$PORT"
}

ready() { curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null; }

start() {
  command -v /usr/sbin/nginx >/dev/null || { echo "nginx is missing: bash scripts/setup.sh" >&2; exit 1; }
  mkdir -p "$STATE"/{pg,log,run,data}
  chmod 755 "$STATE"
  [ "$(id -u)" = 0 ] && chown postgres "$STATE/pg" "$STATE/log"
  start_primary
  [ -n "$REPLICA" ] && start_replica
  write_env
  rm -rf "$STATE/metrics"  # no samples of processes of an earlier start
  say "migrations: peduli db upgrade on the primary"
  run_with_env "$PEDULI" db upgrade >/dev/null
  start_apps
  start_nginx
  wait_for "$READY_SECONDS" "the app behind nginx (/readyz)" ready
  say "ready: http://127.0.0.1:$PORT (state in $STATE)"
}

stop_pidfile() {  # SIGTERM, then SIGKILL after 30 s
  local file=$1
  if alive "$file"; then
    local pid
    pid="$(cat "$file")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do running "$pid" || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop() {
  if alive "$STATE/run/nginx.pid"; then
    local master
    master="$(cat "$STATE/run/nginx.pid")"
    /usr/sbin/nginx -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx/" -s quit 2>/dev/null || true
    wait_for 15 "nginx to stop" bash -c "! kill -0 $master 2>/dev/null" || true
  fi
  stop_apps
  for cluster in "$STATE/pg/replica" "$STATE/pg/primary"; do
    if [ -f "$cluster/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$cluster" status >/dev/null 2>&1; then
      as_postgres "$PG_BIN/pg_ctl" -D "$cluster" -m fast -w stop >/dev/null
    fi
  done
  say "stopped"
  if [ "${1:-}" = "--purge" ]; then rm -rf "$STATE" && say "removed $STATE"; fi
}

status() {
  local code=0
  if alive "$STATE/run/nginx.pid"; then echo "nginx      running  http://127.0.0.1:$PORT"; else echo "nginx      stopped"; code=1; fi
  for file in "$STATE"/run/serve-*.pid "$STATE"/run/worker-*.pid; do
    [ -e "$file" ] || continue
    local name
    name="$(basename "$file" .pid)"
    if alive "$file"; then printf '%-10s running  pid %s\n' "$name" "$(cat "$file")"; else printf '%-10s dead\n' "$name"; code=1; fi
  done
  if psql_at "$PG_PORT" "SELECT 1" >/dev/null 2>&1; then
    echo "primary    running  port $PG_PORT; replicas: $(psql_at "$PG_PORT" "SELECT coalesce(string_agg(state || ' replay_lag=' || coalesce(replay_lag::text, '0'), ', '), 'none') FROM pg_stat_replication")"
  else
    echo "primary    stopped"; code=1
  fi
  if [ -z "$REPLICA" ]; then
    echo "replica    none     (promoted to primary; make a new one)"
  elif psql_at "$REPLICA_PORT" "SELECT 1" >/dev/null 2>&1; then
    echo "replica    running  port $REPLICA_PORT; in recovery: $(psql_at "$REPLICA_PORT" "SELECT pg_is_in_recovery()"), replayed up to $(psql_at "$REPLICA_PORT" "SELECT pg_last_wal_replay_lsn()")"
  else
    echo "replica    stopped"; code=1
  fi
  if ready 2>/dev/null; then echo "readyz     ready"; else echo "readyz     not ready"; code=1; fi
  return $code
}

stop_apps() {
  for file in "$STATE"/run/serve-*.pid "$STATE"/run/worker-*.pid; do
    if [ -e "$file" ]; then stop_pidfile "$file"; fi
  done
}

promote() {
  [ -n "$REPLICA" ] || { echo "already promoted: $PRIMARY is the primary" >&2; exit 1; }
  local old="$STATE/pg/primary"
  if as_postgres "$PG_BIN/pg_ctl" -D "$old" status >/dev/null 2>&1; then
    say "old primary: stopping it first (two primaries would split the data)"
    as_postgres "$PG_BIN/pg_ctl" -D "$old" -m fast -w stop >/dev/null
  fi
  say "replica: pg_ctl promote (port $REPLICA_PORT)"
  as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA" -w -t 60 promote >/dev/null
  touch "$PROMOTED"
  PRIMARY="$REPLICA" PG_PORT="$REPLICA_PORT" REPLICA="" PRIMARY_URL="$REPLICA_URL"
  write_env
  say "app processes: restarting on the new primary, one at a time (nginx skips the one down)"
  for port in $(app_ports); do
    stop_pidfile "$STATE/run/serve-$port.pid"
    spawn_serve "$port"
    wait_for "$READY_SECONDS" "the app on port $port (/readyz)" curl -fsS "http://127.0.0.1:$port/readyz"
  done
  for n in $(seq 1 "$WORKERS"); do
    stop_pidfile "$STATE/run/worker-$n.pid"
    spawn_worker "$n"
  done
  say "promoted: the primary is now on port $PG_PORT"
}

case "${1:-}" in
  start) start ;;
  promote) promote ;;
  stop) stop "${2:-}" ;;
  status) status ;;
  revive) start_apps ;;
  *) echo "usage: $0 start|stop [--purge]|status|revive|promote" >&2; exit 2 ;;
esac
