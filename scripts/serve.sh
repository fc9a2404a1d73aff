#!/usr/bin/env bash
# `make serve`: the app under gunicorn (gunicorn.conf.py) with DEBUG off. Secrets come from the
# environment only; this script never invents them.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
export DEBUG=0

missing=""
[ -n "${SECRET_KEY:-}" ] || missing="$missing SECRET_KEY"
[ -n "${JWT_SIGNING_KEY:-}${JWT_PRIVATE_KEY:-}" ] || missing="$missing JWT_SIGNING_KEY"
if [ -n "$missing" ]; then
    cat >&2 <<TXT
make serve runs with DEBUG=0 and needs these from the environment:$missing
  SECRET_KEY       Django's secret (sessions, admin)
  JWT_SIGNING_KEY  signs access tokens (HS256); the same on every app server
                   (or JWT_PRIVATE_KEY with a PEM RSA key for RS256)
Generate values once, keep them in your secret store, then e.g.:
  export SECRET_KEY="\$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')"
  export JWT_SIGNING_KEY="\$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')"
  make serve
TXT
    exit 1
fi

"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py migrate --noinput
exec "$VENV/bin/gunicorn" --config gunicorn.conf.py
