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

Admin:  $BASE/admin/   (login admin / admin: demo only)
Health: $BASE/health

TXT

exec "$PY" manage.py runserver "127.0.0.1:$PORT"
