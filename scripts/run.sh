#!/usr/bin/env bash
# `make run`: migrate, load the demo data (idempotent), print how to call the API, then serve
# with Django's development server on 127.0.0.1:$PORT. DATABASE_URL picks the database
# (SQLite file db.sqlite3 by default).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
PORT=${PORT:-8000}
BASE="http://127.0.0.1:$PORT"

"$PY" manage.py migrate --noinput
# Prints the demo API clients (fixed ids and secret) and the curl lines to try them.
"$PY" manage.py seed_demo
# The demo's admin login admin/admin (refused with DEBUG off, like seed_demo).
"$PY" manage.py create_demo_superuser

cat <<TXT

Start:  $BASE/   (what is running, the demo clients, links to the docs and the storefront)
Admin:  $BASE/admin/   (login admin / admin: demo only)
Health: $BASE/health
Storefront: $BASE/storefront/   (Commerce Layer's drop-in.js; README, "front-end libraries")

TXT
if [ ! -d storefront/node_modules/@commercelayer ]; then
    echo "(the storefront's libraries are not installed: cd storefront && npm ci)"
    echo
fi

# Webhook deliveries, order copies and bulk jobs: a worker beside the server
# (scripts/worker.sh). Each runs in its own process group (set -m), stopped whole when this
# script ends (Ctrl-C, SIGTERM, or the server exiting). Local receivers (http://127.0.0.1:...) are allowed here.
export WEBHOOK_ALLOW_PRIVATE_URLS=${WEBHOOK_ALLOW_PRIVATE_URLS:-1}
export WEBHOOK_API_BASE_URL=${WEBHOOK_API_BASE_URL:-$BASE}
set -m
scripts/worker.sh &
WORKER_PID=$!
"$PY" manage.py runserver "127.0.0.1:$PORT" &
SERVER_PID=$!
trap 'kill -- -"$SERVER_PID" -"$WORKER_PID" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
wait "$SERVER_PID"
