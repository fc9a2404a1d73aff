#!/usr/bin/env bash
# `make test` (and CI through .ci/run): lint, the WHOLE suite on PostgreSQL, then the subset
# marked `sqlite` on SQLite. Prints each stage's elapsed time and a summary; exits non-zero
# when any stage fails. Extra arguments are passed to both pytest runs.
#
# Which PostgreSQL (first match wins):
#   TEST_PG=throwaway        always start a private throwaway cluster (see below)
#   TEST_PG=local            require the server on 127.0.0.1:5432 (user postgres)
#   TEST_DATABASE_URL        use that server; pytest-django creates test_<name>[_gwN] on it
#   127.0.0.1:5432           when a server answers there as user postgres (no password)
#   throwaway cluster        initdb + pg_ctl from the local binaries (PATH, PG_BINDIR,
#                            /usr/lib/postgresql/*/bin, ...) in a temp dir, on a free port on
#                            127.0.0.1, trust auth; stopped and deleted on exit, even on failure.
#                            As root, the cluster runs as an unprivileged user (PG_RUN_AS,
#                            default postgres, else nobody) because initdb refuses root.
# No PostgreSQL at all is a failure, never a skip.
#
# (The throwaway cluster is scripts/pg-throwaway.sh, shared with make bench.)
# Other knobs: PYTEST_XDIST_AUTO_NUM_WORKERS (xdist workers for the pytest runs,
# default min(CPUs, 6)), VENV (default .venv).
#
# Written for bash 3.2 too (macOS /bin/bash): no associative arrays, no mapfile.

set -uo pipefail
LC_NUMERIC=C
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
PYTEST="$VENV/bin/pytest"
RUFF="$VENV/bin/ruff"
export HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-ci}

for tool in "$PY" "$PYTEST" "$RUFF"; do
    if [ ! -x "$tool" ]; then
        echo "test.sh: $tool is missing; run 'make test' (it installs '.[test]' into $VENV)." >&2
        exit 2
    fi
done

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33m!!! %s\033[0m\n' "$*" >&2; }
now() {
    if [ -n "${EPOCHREALTIME:-}" ]; then printf '%s' "$EPOCHREALTIME"; else "$PY" -c 'import time; print(time.time())'; fi
}
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
mask_url() { printf '%s' "$1" | sed -E 's#(//[^:/@]*):[^@/]*@#\1:***@#'; }

# shellcheck source=scripts/pg-throwaway.sh
. scripts/pg-throwaway.sh  # start_throwaway, stop_throwaway, can_connect, free_port

# ---------------------------------------------------------------------------------- cleanup
SCRATCH=""        # our temp dir (SQLite file)

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    stop_throwaway
    [ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/commerce-test.XXXXXX")

# ------------------------------------------------------------------------------ PostgreSQL
acquire_postgres() {
    # Sets PG_URL and PG_SOURCE, or returns 1 with the reason printed.
    local local_url="postgres://postgres@127.0.0.1:5432/commerce"
    local probe_url="postgres://postgres@127.0.0.1:5432/postgres"
    case "${TEST_PG:-auto}" in
        throwaway)
            PG_SOURCE="throwaway cluster (TEST_PG=throwaway)"
            start_throwaway
            return ;;
        local)
            PG_SOURCE="server on 127.0.0.1:5432 (TEST_PG=local)"
            PG_URL=$local_url
            can_connect "$probe_url" || { warn "TEST_PG=local but nothing lets user postgres in on 127.0.0.1:5432"; return 1; }
            return 0 ;;
        auto) ;;
        *) warn "TEST_PG must be auto, local or throwaway (got '$TEST_PG')"; return 1 ;;
    esac
    if [ -n "${TEST_DATABASE_URL:-}" ]; then
        PG_SOURCE="TEST_DATABASE_URL"
        PG_URL=$TEST_DATABASE_URL
        return 0
    fi
    if can_connect "$probe_url"; then
        PG_SOURCE="server on 127.0.0.1:5432"
        PG_URL=$local_url
        return 0
    fi
    echo "--- no PostgreSQL answers on 127.0.0.1:5432; starting a throwaway cluster"
    PG_SOURCE="throwaway cluster"
    start_throwaway
}

# ---------------------------------------------------------------------------------- stages
SUMMARY=""
FAILED=0
record() {  # name, status, seconds
    SUMMARY="$SUMMARY
    $(printf '%-18s %-28s %7ss' "$1" "$2" "$3")"
    case "$2" in ok*) ;; *) FAILED=1 ;; esac
    printf -- '--- %s: %s in %ss\n' "$1" "$2" "$3"
}

# 1. lint
say "lint: ruff check . && ruff format --check ."
t0=$(now)
lint_rc=0
"$RUFF" check . || lint_rc=1
"$RUFF" format --check . || lint_rc=1
if [ "$lint_rc" = 0 ]; then record lint ok "$(since "$t0")"; else record lint FAILED "$(since "$t0")"; fi

# 1b. storefront/: Commerce Layer's front-end libraries (drop-in.js, the SDK, js-auth, pinned by
# storefront/package-lock.json) that the demo pages load from node_modules; the storefront
# browser tests (tests/storefront, in the suite below) serve them.
say "storefront: npm ci in storefront/"
t0=$(now)
if command -v npm >/dev/null 2>&1; then
    if npm ci --prefix storefront --no-audit --no-fund --loglevel=error </dev/null; then
        record storefront ok "$(since "$t0")"
    else
        record storefront "FAILED (npm ci)" "$(since "$t0")"
    fi
else
    warn "npm is not installed: storefront/node_modules is not refreshed, and the storefront"
    warn "browser tests (tests/storefront) fail without it; install Node.js >= 20 and npm."
    SUMMARY="$SUMMARY
    $(printf '%-18s %-28s %7ss' storefront "skipped (no npm)" "$(since "$t0")")"
fi

# 2. the whole suite on PostgreSQL
say "postgres: whole suite"
t0=$(now)
PG_URL=""
PG_SOURCE=""
if acquire_postgres; then
    if [ -z "${PYTEST_XDIST_AUTO_NUM_WORKERS:-}" ]; then
        PYTEST_XDIST_AUTO_NUM_WORKERS=$("$PY" -c 'import os; print(min(os.cpu_count() or 2, 6))')
    fi
    export PYTEST_XDIST_AUTO_NUM_WORKERS
    echo "--- $PG_SOURCE: DATABASE_URL=$(mask_url "$PG_URL"), $PYTEST_XDIST_AUTO_NUM_WORKERS workers"
    # worksteal: an idle worker takes half of the other's queue (the `slow` tests go first)
    DATABASE_URL=$PG_URL "$PYTEST" -n auto --dist worksteal "$@" </dev/null
    rc=$?
    # 5 = no tests collected: for the whole suite that is a failure too.
    if [ "$rc" = 0 ]; then record postgres ok "$(since "$t0")"
    else record postgres "FAILED (pytest exit $rc)" "$(since "$t0")"; fi
else
    warn "NO POSTGRESQL: set TEST_DATABASE_URL, run a server on 127.0.0.1:5432 (user postgres),"
    warn "or install the PostgreSQL server binaries (initdb, pg_ctl) for a throwaway cluster."
    record postgres "FAILED (no PostgreSQL)" "$(since "$t0")"
fi

# 2b. the official Commerce Layer SDK (Node >= 20 and npm, tests/sdk) against the served app,
# on a fresh database of its own on the same PostgreSQL server (scripts/sdk-tests.sh)
say "sdk: @commercelayer/sdk and js-auth against the served app"
t0=$(now)
if [ -n "$PG_URL" ]; then
    SDK_DATABASE_URL=$PG_URL VENV=$VENV scripts/sdk-tests.sh </dev/null
    rc=$?
    if [ "$rc" = 0 ]; then record sdk ok "$(since "$t0")"
    else record sdk "FAILED (exit $rc)" "$(since "$t0")"; fi
else
    record sdk "FAILED (no PostgreSQL)" "$(since "$t0")"
fi

# 2c. the official Commerce Layer CLI and its plugins (tests/cli) against the served app with a task
# worker, on a fresh database of its own (scripts/cli-tests.sh)
say "cli: @commercelayer/cli and its plugins against the served app"
t0=$(now)
if [ -n "$PG_URL" ]; then
    CLI_DATABASE_URL=$PG_URL VENV=$VENV scripts/cli-tests.sh </dev/null
    rc=$?
    if [ "$rc" = 0 ]; then record cli ok "$(since "$t0")"
    else record cli "FAILED (exit $rc)" "$(since "$t0")"; fi
else
    record cli "FAILED (no PostgreSQL)" "$(since "$t0")"
fi

# 3. the `sqlite` subset on SQLite (pytest-django tests on an in-memory database)
say "sqlite: tests marked sqlite"
t0=$(now)
DATABASE_URL="sqlite:///$SCRATCH/test.sqlite3" "$PYTEST" -n auto --dist worksteal -m "sqlite and not postgres_only" "$@" </dev/null
rc=$?
case "$rc" in
    0) record sqlite ok "$(since "$t0")" ;;
    5) warn "no test is marked sqlite"; record sqlite "ok (no test marked sqlite)" "$(since "$t0")" ;;
    *) record sqlite "FAILED (pytest exit $rc)" "$(since "$t0")" ;;
esac

say "summary$SUMMARY"
if [ "$FAILED" = 0 ]; then
    echo "all stages passed"
else
    echo "SOME STAGES FAILED" >&2
fi
exit "$FAILED"
