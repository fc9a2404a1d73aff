#!/usr/bin/env bash
# `make bench`: the app under gunicorn (DEBUG off, its own SECRET_KEY and JWT signing key) on a
# fresh PostgreSQL database loaded by `manage.py load_bench_data`, API clients made by
# `manage.py create_api_client`, then scripts/bench.py at concurrency 1, 4 and 16.
# Writes bench-results.json (gitignored). Everything it starts is stopped on exit.
#
# PostgreSQL: BENCH_PG_URL (a server URL; a database bench_<pid> is created on it and dropped
# afterwards), default the local server postgres://postgres@127.0.0.1:5432, and when nothing
# answers there (or with BENCH_PG=throwaway) a throwaway cluster (scripts/pg-throwaway.sh, as
# make test uses), removed on exit.
# Knobs: BENCH_SECONDS (per phase, default 5), BENCH_ORDERS (10000), BENCH_SKUS (1000),
# WEB_CONCURRENCY (gunicorn workers, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
SERVER=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
DB="bench_$$"
GPID=""
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33m!!! %s\033[0m\n' "$*" >&2; }
# shellcheck source=scripts/pg-throwaway.sh
. scripts/pg-throwaway.sh
now() { "$PY" -c 'import time; print(time.time())'; }
T0=$(now)

psql_on() {  # URL SQL
    "$PY" - "$1" "$2" <<'PYEOF'
import sys

import psycopg

with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(sys.argv[2])
PYEOF
}
psql_admin() { psql_on "$SERVER/postgres" "$1"; }

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -n "$GPID" ]; then
        kill "$GPID" 2>/dev/null && wait "$GPID" 2>/dev/null || true
    fi
    if [ "$PG_STARTED" = 1 ]; then
        stop_throwaway
    else
        psql_admin "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || echo "could not drop $DB" >&2
    fi
    [ -n "${LOG:-}" ] && rm -f "$LOG"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "${BENCH_PG:-}" = throwaway ] ||
    { [ -z "${BENCH_PG_URL:-}" ] && ! can_connect "$SERVER/postgres"; }; then
    echo "--- a throwaway PostgreSQL cluster for the bench"
    start_throwaway || { warn "no PostgreSQL for the bench (set BENCH_PG_URL)"; exit 1; }
    SERVER=${PG_URL%/*}
fi
export DATABASE_URL="$SERVER/$DB"
export DEBUG=0 BENCH=1 API_THROTTLE_ENABLED=0 LOG_LEVEL=ERROR
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
JWT_SIGNING_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY JWT_SIGNING_KEY
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export PORT

say "database $DB on $(printf '%s' "$SERVER" | sed -E 's#(//[^:/@]*):[^@/]*@#\1:***@#')"
psql_admin "CREATE DATABASE $DB"
"$PY" manage.py migrate --noinput -v0
say "data set"
"$PY" manage.py load_bench_data --orders "${BENCH_ORDERS:-10000}" --skus "${BENCH_SKUS:-1000}"
# Planner statistics, as autovacuum keeps them on a live database: without them PostgreSQL
# sorts every order joined to its market and addresses to return the first 25.
psql_on "$DATABASE_URL" "ANALYZE"
INTEGRATION=$("$PY" manage.py create_api_client --kind integration --name bench-integration --json |
    "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(d["client_id"] + ":" + d["client_secret"])')
SALES=$("$PY" manage.py create_api_client --kind sales_channel --name bench-storefront \
    --scope market:code:bench --json | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["client_id"])')

say "gunicorn on 127.0.0.1:$PORT (${WEB_CONCURRENCY:-2} workers)"
LOG=$(mktemp)
"$VENV/bin/gunicorn" --config gunicorn.conf.py --access-logfile /dev/null >"$LOG" 2>&1 &
GPID=$!
for _ in $(seq 1 60); do
    if "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/health', timeout=2)" 2>/dev/null; then
        break
    fi
    kill -0 "$GPID" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
    sleep 0.5
done

say "load (${BENCH_SECONDS:-5} s per phase)"
"$PY" scripts/bench.py --base "http://127.0.0.1:$PORT" --master-pid "$GPID" \
    --integration "$INTEGRATION" --sales-channel "$SALES" --seconds "${BENCH_SECONDS:-5}" \
    --json bench-results.json
echo "make bench: $("$PY" -c "import time; print(round(time.time() - $T0))") s in all"
