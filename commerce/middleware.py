"""Refuse oversized bodies before anything reads them: 413 in Commerce Layer's error shape.

A body sent with `Transfer-Encoding: chunked` has no Content-Length: Django would read it as
empty. It is read here, at most the limit plus one byte (the WSGI server decodes the chunks:
gunicorn marks such input `wsgi.input_terminated`), refused when longer than the limit, and
otherwise handed on as a body of known length.
"""

import io

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream

from commerce.exceptions import CommerceError
from commerce.jsonapi.errors import json_error_response


def _too_large(limit: int):
    return json_error_response(
        CommerceError(
            f"The request body is larger than {limit} bytes.",
            title="Payload too large",
            code="PAYLOAD_TOO_LARGE",
            status=413,
            pointer="",  # the whole document
        )
    )


def _is_chunked(meta) -> bool:
    if meta.get("CONTENT_LENGTH"):
        return False
    return "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BODY_BYTES
        # An import carries up to 10 000 records (bulk.md), more than any other write: its POST
        # gets a limit of its own, and its body is read here, past Django's own memory limit
        # (DATA_UPLOAD_MAX_MEMORY_SIZE, the general one), which `request.body` checks unless
        # the body was read already.
        bulk = request.method == "POST" and request.path_info.rstrip("/") == "/api/imports"
        if bulk:
            limit = settings.MAX_IMPORT_BODY_BYTES
        if _is_chunked(request.META):
            stream = request.META.get("wsgi.input")
            body = stream.read(limit + 1) if stream is not None else b""
            if len(body) > limit:
                return _too_large(limit)
            # The request reads its body from here on, as if its length had been sent.
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
            if bulk:
                request._body = body
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return _too_large(limit)
        if bulk and length:
            request._body = request.read(length)
        return self.get_response(request)
