"""Gunicorn settings for `make serve` (production-style serving; DEBUG is off there).

Put a reverse proxy (TLS, compression) in front of it. Command-line flags or
GUNICORN_CMD_ARGS (e.g. "--bind 0.0.0.0:8000") override anything set here.
"""

import os

wsgi_app = "commerce.wsgi:application"
bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"  # stdout
errorlog = "-"  # stderr
# Gunicorn >= 25 opens a control socket in $HOME by default; two instances would share it.
control_socket_disable = True
# A worker is never killed while money may be moving (payments.md: a gateway call takes at most
# PAYMENT_GATEWAY_TIMEOUT_SECONDS, a request waits for an order lock at most its lock_timeout).
timeout = 60
