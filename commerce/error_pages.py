"""Django's own error answers under `/api` and `/oauth` are JSON error documents (limits.md 4).

Django answers some failures before or around any view: an unmatched URL (handler404), a
SuspiciousOperation such as a disallowed Host (handler400), a PermissionDenied (handler403), an
unhandled exception (handler500), a CSRF failure, a 405 from a plain view. Under `/api` and
`/oauth` each becomes an `errors` document in the JSON:API media type; elsewhere (the admin)
Django's HTML pages stay. `JsonErrorsMiddleware` is the last guard: with DEBUG on, Django renders
its technical pages instead of calling the handlers, and those too leave as JSON there.
"""

import logging
from http import HTTPStatus

from django.views import csrf, defaults

from commerce.dblimits import database_limit_error
from commerce.exceptions import CommerceError, NotFound
from commerce.jsonapi.errors import json_error_response

logger = logging.getLogger(__name__)

_NAMED = {
    400: ("BAD_REQUEST", "Bad request"),
    403: ("FORBIDDEN", "Forbidden"),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed"),
    413: ("PAYLOAD_TOO_LARGE", "Payload too large"),
    500: ("INTERNAL_SERVER_ERROR", "Internal server error"),
}
# Headers of the replaced answer that still mean something to the client.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def is_api_path(path: str) -> bool:
    return path in ("/api", "/oauth") or path.startswith(("/api/", "/oauth/"))


def error_for_status(status: int) -> CommerceError:
    if status == 404:
        return NotFound()
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    default = (phrase.upper().replace(" ", "_").replace("-", "_"), phrase.capitalize())
    code, title = _NAMED.get(status, default)
    detail = "The server could not answer this request." if status >= 500 else title
    return CommerceError(detail, title=title, code=code, status=status)


def bad_request(request, exception, template_name="400.html"):
    if is_api_path(request.path_info):
        return json_error_response(error_for_status(400))
    return defaults.bad_request(request, exception, template_name)


def permission_denied(request, exception, template_name="403.html"):
    if is_api_path(request.path_info):
        return json_error_response(error_for_status(403))
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request, exception, template_name="404.html"):
    if is_api_path(request.path_info):
        return json_error_response(error_for_status(404))
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name="500.html"):
    if is_api_path(request.path_info):
        return json_error_response(error_for_status(500))
    return defaults.server_error(request, template_name)


def csrf_failure(request, reason=""):
    if is_api_path(request.path_info):
        return json_error_response(error_for_status(403))
    return csrf.csrf_failure(request, reason)


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type in ("application/json", "application/vnd.api+json")


class JsonErrorsMiddleware:
    """Outermost: any error answer under /api or /oauth that is not JSON is replaced by the
    error document of its status (same status, its Allow/Retry-After headers kept). A plain
    view's exception from one of the database's limits (commerce/dblimits.py: the OAuth
    endpoints; DRF views answer it in their exception handler) gets its own answer, 503 or 409,
    rather than a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or _is_json(response):
            return response
        if not is_api_path(request.path_info):
            return response
        replacement = json_error_response(error_for_status(response.status_code))
        for name in _KEPT_HEADERS:
            if name in response:
                replacement[name] = response[name]
        return replacement

    def process_exception(self, request, exception):
        if not is_api_path(request.path_info):
            return None
        error = database_limit_error(exception)
        if error is None:
            return None
        logger.warning("%s %s: %s", error.status, error.code, exception)
        return json_error_response(error)
