#!/usr/bin/env bash
# `make fuzz`: the contract fuzzer (tests/edges/test_fuzz.py) with more examples per operation
# than `make test` runs (FUZZ_EXAMPLES, default 50 here). Needs PostgreSQL: DATABASE_URL, else
# the server on 127.0.0.1:5432 (user postgres). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-50}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/commerce}
start=$(date +%s)
rc=0
"$VENV/bin/pytest" -q -p no:logging tests/edges/test_fuzz.py "$@" || rc=$?
echo "fuzz: FUZZ_EXAMPLES=$FUZZ_EXAMPLES, $(($(date +%s) - start))s, pytest exit $rc"
exit "$rc"
