"""Responses: views build the whole JSON:API document; the renderer only serialises it."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework.renderers import BaseRenderer


class JSONAPIRenderer(BaseRenderer):
    media_type = "application/vnd.api+json"
    format = "vnd.api+json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (an error's pointer to the member that holds one) has no UTF-8
            # form: JSON's \u escapes carry it.
            return json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":")).encode("ascii")
