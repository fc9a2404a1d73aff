"""Refuse oversized bodies before anything reads them: 413 in Commerce Layer's error shape."""

from django.conf import settings

from commerce.exceptions import CommerceError
from commerce.jsonapi.errors import json_error_response


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            return json_error_response(
                CommerceError(
                    f"The request body is larger than {limit} bytes.",
                    title="Payload too large",
                    code="PAYLOAD_TOO_LARGE",
                    status=413,
                    pointer="",  # the whole document
                )
            )
        return self.get_response(request)
