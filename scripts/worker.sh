#!/usr/bin/env bash
# `make worker`: the background tasks. django-tasks-db's worker runs the default queue: the
# "deliver delivery X" tasks of webhooks and the "run copy X" tasks of order copies
# (orders/services/copies.py); beside it the sweeper re-enqueues webhook deliveries that are
# overdue or whose worker died (commerce/webhooks/services.py). Run as many as you like, on any
# machine sharing DATABASE_URL. Stops both on Ctrl-C or SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
SWEEP_EVERY=${WEBHOOK_SWEEP_EVERY:-15}

"$PY" manage.py db_worker --no-reload --interval 1 &
WORKER_PID=$!
"$PY" manage.py sweep_webhooks --every "$SWEEP_EVERY" &
SWEEPER_PID=$!

stop() {
    trap - EXIT INT TERM
    kill "$WORKER_PID" "$SWEEPER_PID" 2>/dev/null || true
    wait "$WORKER_PID" "$SWEEPER_PID" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

echo "task worker (pid $WORKER_PID) and sweeper (pid $SWEEPER_PID, every ${SWEEP_EVERY}s) running"
# Either one ending (a crash) ends the other: a supervisor restarts the pair. (A polling
# loop rather than `wait -n`, which macOS's bash 3.2 lacks.)
while kill -0 "$WORKER_PID" 2>/dev/null && kill -0 "$SWEEPER_PID" 2>/dev/null; do
    sleep 1
done
