"""One exception handler: every failure leaves as Commerce Layer's `errors` document."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

from commerce.dblimits import database_limit_error
from commerce.exceptions import (
    BadRequest,
    CommerceError,
    ErrorItem,
    InvalidToken,
    NotFound,
    Unauthorized,
)

logger = logging.getLogger(__name__)
MEDIA_TYPE = "application/vnd.api+json"


def _drf_to_commerce(exc: Exception) -> CommerceError | None:
    if isinstance(exc, drf.NotAuthenticated):
        return InvalidToken()
    if isinstance(exc, drf.AuthenticationFailed):
        return InvalidToken(str(exc.detail) if getattr(exc, "detail", None) else None)
    if isinstance(exc, drf.PermissionDenied | PermissionDenied):
        return Unauthorized()
    if isinstance(exc, Http404 | drf.NotFound):
        return NotFound()
    if isinstance(exc, drf.NotAcceptable):
        return CommerceError(
            "The server cannot produce a response in a media type the client accepts: "
            f"use {MEDIA_TYPE}.",
            title="Not acceptable",
            code="NOT_ACCEPTABLE",
            status=406,
            header="Accept",
        )
    if isinstance(exc, drf.UnsupportedMediaType):
        return CommerceError(
            f"All create and update requests must use the '{MEDIA_TYPE}' Content-Type.",
            title="Unsupported media type",
            code="UNSUPPORTED_MEDIA_TYPE",
            status=415,
            header="Content-Type",
        )
    if isinstance(exc, drf.MethodNotAllowed):
        return CommerceError(
            str(exc.detail), title="Method not allowed", code="METHOD_NOT_ALLOWED", status=405
        )
    if isinstance(exc, drf.Throttled):
        return CommerceError(
            "Too many requests. Slow down and retry later.",
            title="Too many requests",
            code="TOO_MANY_REQUESTS",
            status=429,
        )
    if isinstance(exc, drf.ParseError):
        return BadRequest(
            str(exc.detail), title="Invalid data format", code="INVALID_DATA_FORMAT", pointer=""
        )
    if isinstance(exc, drf.APIException):
        return CommerceError(
            str(exc.detail), status=exc.status_code, code=str(exc.default_code).upper()
        )
    return None


def error_document(items: list[ErrorItem]) -> dict:
    return {"errors": [item.as_json() for item in items]}


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER. Unknown exceptions are left to DRF (500 via Django)."""
    error = exc if isinstance(exc, CommerceError) else _drf_to_commerce(exc)
    if error is None:
        error = database_limit_error(exc)
        if error is None:
            return None
        # A statement or lock timeout: the transaction is rolled back already; say so in the log.
        logger.warning("%s %s: %s", error.status, error.code, exc)
    items = error.items()
    headers = {}
    if isinstance(exc, drf.Throttled) and exc.wait is not None:
        # DRF already rounds the wait up to whole seconds: at most the window, at least 1.
        headers["Retry-After"] = str(max(int(exc.wait), 1))
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return Response(
        error_document(items), status=items[0].status, headers=headers, content_type=MEDIA_TYPE
    )


def json_error_response(error: CommerceError) -> JsonResponse:
    """For plain Django views and middleware (outside DRF)."""
    items = error.items()
    return JsonResponse(error_document(items), status=items[0].status, content_type=MEDIA_TYPE)
