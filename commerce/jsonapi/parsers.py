"""Request bodies: `application/vnd.api+json` only (others are a 415 from DRF's negotiation).

A body is refused (400 INVALID_DATA_FORMAT, before any view sees it) when it is not a JSON
object, nests deeper than jsontext.MAX_DEPTH, or holds text the database cannot store (a NUL or a
lone surrogate, in a key or a value at any depth: 400 INVALID_FIELD_VALUE pointing at it).
"""

from rest_framework.parsers import BaseParser

from commerce.exceptions import BadRequest
from commerce.jsonapi import jsontext, storable


class JSONAPIParser(BaseParser):
    media_type = "application/vnd.api+json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return {}
        try:
            document = jsontext.loads(raw)
        except ValueError as exc:  # also UnicodeDecodeError and TooDeep
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
        check_storable(document, raw)
        return document


def check_storable(document: dict, raw: bytes) -> None:
    if not storable.json_text_may_hold_unstorable(raw):
        return
    found = storable.find_unstorable(document)
    if found is not None:
        pointer, what = found
        raise BadRequest(
            f"The value contains {what}, which can't be stored.",
            title="Invalid field value",
            code="INVALID_FIELD_VALUE",
            pointer=pointer,
        )
