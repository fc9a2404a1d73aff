#!/usr/bin/env bash
# `make worker`: the background tasks. django-tasks-db's worker runs the default queue: the
# "deliver delivery X" tasks of webhooks and the "run copy X" tasks of order copies
# (orders/services/copies.py) and the chunks of imports, exports and cleanups (bulk/runner.py);
# beside it two sweepers re-enqueue webhook deliveries that are overdue or whose worker died
# (commerce/webhooks/services.py) and bulk chunks whose worker died, admitting waiting jobs
# (bulk/runner.py). Run as many as you like, on any machine sharing DATABASE_URL. Stops all
# three on Ctrl-C or SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
SWEEP_EVERY=${WEBHOOK_SWEEP_EVERY:-15}

"$PY" manage.py db_worker --no-reload --interval 1 &
WORKER_PID=$!
"$PY" manage.py sweep_webhooks --every "$SWEEP_EVERY" &
SWEEPER_PID=$!
"$PY" manage.py sweep_jobs --every "$SWEEP_EVERY" &
JOBS_PID=$!

stop() {
    trap - EXIT INT TERM
    kill "$WORKER_PID" "$SWEEPER_PID" "$JOBS_PID" 2>/dev/null || true
    wait "$WORKER_PID" "$SWEEPER_PID" "$JOBS_PID" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

echo "task worker (pid $WORKER_PID) and sweepers (pids $SWEEPER_PID $JOBS_PID, every ${SWEEP_EVERY}s) running"
# Any one ending (a crash) ends the others: a supervisor restarts the three. (A polling
# loop rather than `wait -n`, which macOS's bash 3.2 lacks.)
while kill -0 "$WORKER_PID" 2>/dev/null && kill -0 "$SWEEPER_PID" 2>/dev/null &&
    kill -0 "$JOBS_PID" 2>/dev/null; do
    sleep 1
done
