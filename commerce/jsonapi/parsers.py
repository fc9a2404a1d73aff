"""Request bodies: `application/vnd.api+json` only (others are a 415 from DRF's negotiation)."""

import json

from rest_framework.parsers import BaseParser

from commerce.exceptions import BadRequest


class JSONAPIParser(BaseParser):
    media_type = "application/vnd.api+json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return {}
        try:
            document = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadRequest(
                f"The request body is not valid JSON: {exc}",
                title="Invalid data format",
                code="INVALID_DATA_FORMAT",
                pointer="",  # the whole document
            ) from exc
        if not isinstance(document, dict):
            raise BadRequest(
                "The request body must be a JSON object.",
                title="Invalid data format",
                code="INVALID_DATA_FORMAT",
                pointer="",
            )
        return document
