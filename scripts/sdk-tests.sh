#!/usr/bin/env bash
# The official Commerce Layer clients drive this server: tests/sdk (node's own test runner, with
# @commercelayer/sdk and @commercelayer/js-auth pinned in tests/sdk/package-lock.json) against the
# app served by gunicorn on a free loopback port. A stage of `make test` (scripts/test.sh); it also
# runs on its own: scripts/sdk-tests.sh [node --test arguments, e.g. --test-name-pattern=cancel]
#
# Database: always PostgreSQL, as in production (two gunicorn workers write concurrently, and the
# tests use PostgreSQL-only filters such as metadata_jcont). The server is the one in
# SDK_DATABASE_URL, else TEST_DATABASE_URL, else DATABASE_URL when it is a postgres URL, else
# 127.0.0.1:5432 as user postgres; only its credentials are used: the script creates a fresh
# database sdk_<random> there (migrate + seed_demo) and drops it on exit, even on failure.
# Needs node >= 20 and npm: without them this fails (a missing stage is never a pass).

set -uo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
# NODE_STAGE picks the Node test package: sdk (tests/sdk) or cli (tests/cli, the Commerce Layer
# CLI, through scripts/cli-tests.sh): the same server, database and environment for both.
NODE_STAGE=${NODE_STAGE:-sdk}
case "$NODE_STAGE" in sdk | cli) ;; *) echo "sdk-tests.sh: NODE_STAGE must be sdk or cli" >&2; exit 2 ;; esac
SDK_DIR=tests/$NODE_STAGE

fail() { printf '%s-tests.sh: %s\n' "$NODE_STAGE" "$*" >&2; exit 2; }

[ -x "$PY" ] || fail "$PY is missing; run 'make test' (it installs '.[test]' into $VENV)."
[ -x "$VENV/bin/gunicorn" ] || fail "$VENV/bin/gunicorn is missing; run 'make install'."
command -v node >/dev/null 2>&1 || fail "node is not installed: the SDK tests need Node.js >= 20 and npm."
command -v npm >/dev/null 2>&1 || fail "npm is not installed: the SDK tests need Node.js >= 20 and npm."
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] 2>/dev/null || fail "node $(node --version) is too old: the SDK tests need Node.js >= 20."

# ------------------------------------------------------------------------------- cleanup
SCRATCH=""
NPM_PID=""
SERVER_PID=""
STRIPE_PID=""
WORKER_PID=""
DB_CREATED=""
ADMIN_URL=""

pg_admin() {  # create|drop NAME, connected to the server's maintenance database
    "$PY" - "$ADMIN_URL" "$1" "$2" <<'EOF'
import sys

import psycopg
from psycopg import sql

url, action, name = sys.argv[1:]
with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
    if action == "create":
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    else:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
EOF
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -n "$NPM_PID" ] && kill -0 "$NPM_PID" 2>/dev/null; then
        kill -TERM "$NPM_PID" 2>/dev/null
        wait "$NPM_PID" 2>/dev/null
    fi
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        for _ in $(seq 1 40); do  # gunicorn's graceful stop takes a few seconds
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ -n "$WORKER_PID" ] && kill -0 "$WORKER_PID" 2>/dev/null; then
        kill -TERM "$WORKER_PID" 2>/dev/null
        wait "$WORKER_PID" 2>/dev/null
    fi
    if [ -n "$STRIPE_PID" ] && kill -0 "$STRIPE_PID" 2>/dev/null; then
        kill -TERM "$STRIPE_PID" 2>/dev/null
        wait "$STRIPE_PID" 2>/dev/null
    fi
    if [ "$rc" != 0 ] && [ -n "$SCRATCH" ] && [ -s "$SCRATCH/server.log" ]; then
        echo "--- last lines of the server's log:" >&2
        tail -n 40 "$SCRATCH/server.log" >&2
        if [ -s "$SCRATCH/worker.log" ]; then
            echo "--- last lines of the task worker's log:" >&2
            tail -n 40 "$SCRATCH/worker.log" >&2
        fi
    fi
    if [ -n "$DB_CREATED" ]; then
        pg_admin drop "$DB_CREATED" || echo "sdk-tests.sh: could not drop database $DB_CREATED" >&2
    fi
    [ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/commerce-$NODE_STAGE.XXXXXX")

# ------------------------------------------- the pinned Node clients (while the database is made)
echo "--- npm ci in $SDK_DIR"
npm ci --prefix "$SDK_DIR" --no-audit --no-fund --loglevel=error >"$SCRATCH/npm.log" 2>&1 </dev/null &
NPM_PID=$!

# ------------------------------------------------------------------------ a fresh database
BASE_URL=${SDK_DATABASE_URL:-${TEST_DATABASE_URL:-}}
if [ -z "$BASE_URL" ]; then
    case "${DATABASE_URL:-}" in
        postgres://* | postgresql://*) BASE_URL=$DATABASE_URL ;;
        *) BASE_URL="postgres://postgres@127.0.0.1:5432/postgres" ;;
    esac
fi
DB_NAME="${NODE_STAGE}_$("$PY" -c 'import secrets; print(secrets.token_hex(5))')"
# The same server and credentials, another database name (maintenance db, then ours).
with_db() {
    "$PY" - "$BASE_URL" "$1" <<'EOF'
import sys
from urllib.parse import urlsplit, urlunsplit

parts = urlsplit(sys.argv[1])
print(urlunsplit(parts._replace(path="/" + sys.argv[2])))
EOF
}
ADMIN_URL=$(with_db postgres)
DB_URL=$(with_db "$DB_NAME")
pg_admin create "$DB_NAME" || fail "cannot create database $DB_NAME on $(printf '%s' "$ADMIN_URL" |
    sed -E 's#(//[^:/@]*):[^@/]*@#\1:***@#') (set SDK_DATABASE_URL to a PostgreSQL server)"
DB_CREATED=$DB_NAME
echo "--- database $DB_NAME: migrate, seed_demo"
export DATABASE_URL=$DB_URL
DEBUG=1 "$PY" manage.py migrate --noinput --verbosity 0 || fail "migrate failed"
DEBUG=1 "$PY" manage.py seed_demo --json >"$SCRATCH/seed.json" || fail "seed_demo failed"

# ----------------------------------------------------------- the app on a free loopback port
free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_healthy() {  # 0 once GET /health answers 200; 1 if the server died or 60 s passed
    "$PY" - "$1" "$SERVER_PID" <<'EOF'
import os
import sys
import time
import urllib.request

url, pid = sys.argv[1] + "/health", int(sys.argv[2])
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.25)
sys.exit(1)
EOF
}

# The fake Stripe the server's Stripe gateways call (tests/payments/fake_stripe.py; payments.md:
# tests never reach Stripe), on its own loopback port.
"$PY" -m tests.payments.fake_stripe "$SCRATCH/stripe.json" >>"$SCRATCH/stripe.log" 2>&1 </dev/null &
STRIPE_PID=$!
for _ in $(seq 1 80); do
    [ -s "$SCRATCH/stripe.json" ] && break
    kill -0 "$STRIPE_PID" 2>/dev/null || break
    sleep 0.25
done
[ -s "$SCRATCH/stripe.json" ] || fail "the fake Stripe did not start: $(cat "$SCRATCH/stripe.log")"
STRIPE_URL=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' "$SCRATCH/stripe.json")
STRIPE_KEY=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["key"])' "$SCRATCH/stripe.json")

# gunicorn with production settings (DEBUG off, its own throwaway keys), two workers.
SERVER_URL=""
for attempt in 1 2 3; do
    port=$(free_port)
    DEBUG=0 PORT=$port WEB_CONCURRENCY=2 STRIPE_API_BASE=$STRIPE_URL \
        SECRET_KEY="sdk-tests-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')" \
        JWT_SIGNING_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')" \
        "$VENV/bin/gunicorn" --config gunicorn.conf.py >>"$SCRATCH/server.log" 2>&1 </dev/null &
    SERVER_PID=$!
    if wait_healthy "http://127.0.0.1:$port"; then
        SERVER_URL="http://127.0.0.1:$port"
        break
    fi
    echo "--- the server did not come up on port $port (attempt $attempt)" >&2
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
done
[ -n "$SERVER_URL" ] || fail "gunicorn did not start"
# The CLI's imports, exports and cleanups run on the background workers (bulk.md): one task
# worker beside the server for that stage (the SDK stage's tests expect none).
if [ "$NODE_STAGE" = cli ]; then
    DEBUG=1 "$PY" manage.py db_worker --no-reload --interval 1 >>"$SCRATCH/worker.log" 2>&1 </dev/null &
    WORKER_PID=$!
fi
echo "--- serving on $SERVER_URL (gunicorn pid $SERVER_PID) after ${SECONDS}s; node $(node --version)"

# ------------------------------------------------------------------------------- the tests
wait "$NPM_PID"
npm_rc=$?
NPM_PID=""
if [ "$npm_rc" != 0 ]; then
    cat "$SCRATCH/npm.log" >&2
    fail "npm ci failed in $SDK_DIR"
fi
(cd "$SDK_DIR" && SDK_BASE_URL=$SERVER_URL SDK_SEED_FILE="$SCRATCH/seed.json" \
    SDK_STRIPE_URL=$STRIPE_URL SDK_STRIPE_KEY=$STRIPE_KEY node --test "$@")
