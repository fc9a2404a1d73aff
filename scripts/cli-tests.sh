#!/usr/bin/env bash
# The official Commerce Layer CLI drives this server (issue 22): tests/cli (node's own test
# runner, with @commercelayer/cli 6.x and its imports, exports, cleanups, resources and tags
# plugins pinned in tests/cli/package-lock.json) against the app served by gunicorn on a free
# loopback port, with one task worker for the bulk jobs. A stage of `make test`
# (scripts/test.sh); on its own: scripts/cli-tests.sh [node --test arguments].
#
# The server, the fresh PostgreSQL database (cli_<random>, dropped on exit) and the `npm ci` are
# scripts/sdk-tests.sh's, run with NODE_STAGE=cli; see there for CLI_/SDK_DATABASE_URL.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -n "${CLI_DATABASE_URL:-}" ]; then
    export SDK_DATABASE_URL=$CLI_DATABASE_URL
fi
NODE_STAGE=cli exec scripts/sdk-tests.sh "$@"
