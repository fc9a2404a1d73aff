# Sourced by scripts/test.sh and scripts/bench.sh: a private throwaway PostgreSQL cluster
# (initdb + pg_ctl from the local binaries: PG_BINDIR, PATH, /usr/lib/postgresql/*/bin, ...) in
# a temp dir, on a free port on 127.0.0.1, trust auth. As root the cluster runs as an
# unprivileged user (PG_RUN_AS, default postgres, else nobody) because initdb refuses root.
# The caller defines PY (a python with psycopg) and warn(), and calls stop_throwaway on exit.
#
# Written for bash 3.2 too (macOS /bin/bash).

PG_TMP=""         # throwaway cluster dir
PG_BIN=""         # its binaries
PG_STARTED=0
PG_USER=""        # OS user running the throwaway cluster when we are root
RUN_AS=""         # runuser | setpriv | su

stop_throwaway() {
    if [ "$PG_STARTED" = 1 ]; then
        echo "--- stopping throwaway PostgreSQL ($PG_TMP)"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
            warn "pg_ctl stop failed; see $PG_TMP/server.log"
        PG_STARTED=0
    fi
    if [ -n "$PG_TMP" ]; then
        rm -rf "$PG_TMP"
        PG_TMP=""
    fi
}

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
        --no-sync >"$PG_TMP/initdb.log" 2>&1; then
        warn "initdb failed:"
        cat "$PG_TMP/initdb.log" >&2
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
