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

# ---------------------------------------------------------------------------------- cleanup
SCRATCH=""        # our temp dir (SQLite file)
PG_TMP=""         # throwaway cluster dir
PG_BIN=""         # its binaries
PG_STARTED=0

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ "$PG_STARTED" = 1 ]; then
        echo "--- stopping throwaway PostgreSQL ($PG_TMP)"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
            warn "pg_ctl stop failed; see $PG_TMP/server.log"
    fi
    [ -n "$PG_TMP" ] && rm -rf "$PG_TMP"
    [ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/commerce-test.XXXXXX")

# ------------------------------------------------------------------------------ PostgreSQL
PG_USER=""        # OS user running the throwaway cluster when we are root
RUN_AS=""         # runuser | setpriv | su

as_pg() {
    # Run a command as the cluster's owner: ourselves, or (as root) an unprivileged user.
    # The subshell cds into the cluster dir: the owner may not be able to read our cwd.
    if [ -z "$PG_USER" ]; then
        ( cd "$PG_TMP" && "$@" )
        return
    fi
    case "$RUN_AS" in
        runuser) ( cd "$PG_TMP" && runuser -u "$PG_USER" -- "$@" ) ;;
        setpriv) ( cd "$PG_TMP" && setpriv --reuid="$PG_USER" --regid="$(id -g "$PG_USER")" \
                       --clear-groups --reset-env -- "$@" ) ;;
        su) ( cd "$PG_TMP" && su -s /bin/sh -c 'exec "$0" "$@"' "$PG_USER" -- "$@" ) ;;
    esac
}

can_connect() {
    # 0 when psycopg can log in with this URL within a few seconds.
    "$PY" - "$1" <<'EOF' 2>/dev/null
import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception:
    sys.exit(1)
EOF
}

find_pg_bin() {
    # A directory holding both initdb and pg_ctl: PG_BINDIR, PATH, then the usual places
    # (newest version first).
    local d candidates=""
    if [ -n "${PG_BINDIR:-}" ]; then candidates="$PG_BINDIR"; fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        candidates="$candidates
$(dirname "$(command -v initdb)")"
    fi
    candidates="$candidates
$(ls -d /usr/lib/postgresql/*/bin /usr/pgsql-*/bin /usr/local/pgsql/bin \
        /opt/homebrew/opt/postgresql*/bin /usr/local/opt/postgresql*/bin 2>/dev/null |
        sort -t/ -k4 -V -r)"
    while IFS= read -r d; do
        [ -n "$d" ] || continue
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            printf '%s' "$d"
            return 0
        fi
    done <<EOF
$candidates
EOF
    return 1
}

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_throwaway() {
    # Sets PG_URL on success. Everything it creates lives in PG_TMP (removed by cleanup).
    PG_BIN=$(find_pg_bin) || {
        warn "no PostgreSQL binaries (initdb, pg_ctl) in PATH, PG_BINDIR or /usr/lib/postgresql/*/bin"
        return 1
    }
    local base="${TMPDIR:-/tmp}"
    if [ "$(id -u)" = 0 ]; then
        PG_USER=${PG_RUN_AS:-}
        if [ -z "$PG_USER" ]; then
            if id -u postgres >/dev/null 2>&1; then PG_USER=postgres; else PG_USER=nobody; fi
        fi
        RUN_AS=${PG_RUN_WITH:-}
        if [ -z "$RUN_AS" ]; then
            if command -v runuser >/dev/null 2>&1; then RUN_AS=runuser
            elif command -v setpriv >/dev/null 2>&1; then RUN_AS=setpriv
            else RUN_AS=su; fi
        fi
        base=/tmp  # TMPDIR may be private to root
    fi
    PG_TMP=$(mktemp -d "$base/commerce-pg.XXXXXX") || return 1
    if [ -n "$PG_USER" ]; then
        chown "$PG_USER" "$PG_TMP" || return 1
    fi
    echo "--- throwaway PostgreSQL: $PG_BIN in $PG_TMP${PG_USER:+ (as $PG_USER via $RUN_AS)}"
    if ! as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --locale=C \
        --no-sync >"$SCRATCH/initdb.log" 2>&1; then
        warn "initdb failed:"
        cat "$SCRATCH/initdb.log" >&2
        return 1
    fi
    local attempt port
    for attempt in 1 2 3; do
        port=$(free_port) || return 1
        if as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$PG_TMP' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null 2>&1; then
            PG_STARTED=1
            PG_URL="postgres://postgres@127.0.0.1:$port/commerce"
            return 0
        fi
        warn "pg_ctl start failed on port $port (attempt $attempt):"
        tail -n 20 "$PG_TMP/server.log" >&2 2>/dev/null
    done
    return 1
}

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
    DATABASE_URL=$PG_URL "$PYTEST" -n auto "$@" </dev/null
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

# 3. the `sqlite` subset on SQLite (pytest-django tests on an in-memory database)
say "sqlite: tests marked sqlite"
t0=$(now)
DATABASE_URL="sqlite:///$SCRATCH/test.sqlite3" "$PYTEST" -n auto -m "sqlite and not postgres_only" "$@" </dev/null
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
