"""Liveness/readiness probe: `GET /health`, no authentication, plain JSON.

200 `{"status": "ok", "database": "ok"}` when `SELECT 1` answers on the default connection,
503 `{"status": "error", "database": "unreachable"}` otherwise, so a load balancer can take
an app server whose database is gone out of rotation.
"""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health check: database unreachable", exc_info=True)
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
