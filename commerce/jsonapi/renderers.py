"""Responses: views build the whole JSON:API document; the renderer only serialises it.

orjson writes it, with what it does not know (datetimes, decimals, lazy strings) handed to
Django's encoder so the text is what `json` with DjangoJSONEncoder writes; the few documents
orjson refuses (a lone surrogate in an error's pointer, an integer beyond 64 bits) are written
by `json` itself, the JSON text a document holds (`orjson.Fragment`, commerce.jsonapi.document)
read back as data for it.
"""

import json

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from rest_framework.renderers import BaseRenderer

_DJANGO = DjangoJSONEncoder()


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, orjson.Fragment):
            return orjson.loads(orjson.dumps(o))
        return super().default(o)


_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class JSONAPIRenderer(BaseRenderer):
    media_type = "application/vnd.api+json"
    format = "vnd.api+json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        try:
            return orjson.dumps(data, default=_DJANGO.default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            pass
        text = json.dumps(data, cls=_Encoder, ensure_ascii=False, separators=(",", ":"))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (an error's pointer to the member that holds one) has no UTF-8
            # form: JSON's \u escapes carry it.
            return json.dumps(data, cls=_Encoder, separators=(",", ":")).encode("ascii")
