"""Media types as JSON:API 1.0 fixes them (limits.md section 4).

- `Content-Type: application/vnd.api+json` with any media type parameter is a 415, on every
  request (the SDK sends the bare type on GET and DELETE too). JSON:API 1.0 allows no parameter
  at all; 1.1 allows only `ext` and `profile`, for extensions and profiles this server does not
  implement. `charset` is refused as well: no JSON:API version allows it (the media type is
  always UTF-8), which is what "excepted only where JSON:API allows" leaves.
- An `Accept` header naming the JSON:API media type only with parameters is a 406, even when it
  also accepts `*/*` (JSON:API 1.0: "all instances of that media type are modified with media
  type parameters"). Anything else that admits the type (`*/*`, no Accept at all) is served.
"""

from rest_framework.exceptions import NotAcceptable, UnsupportedMediaType
from rest_framework.negotiation import DefaultContentNegotiation

MEDIA_TYPE = "application/vnd.api+json"


def _split(media_range: str) -> tuple[str, list[str]]:
    """The type of a media range, lower-case, and its parameters (`q` excluded: it weighs the
    range in Accept, it does not modify the media type)."""
    kind, *params = (part.strip() for part in media_range.split(";"))
    params = [p for p in params if p and p.split("=", 1)[0].strip().lower() != "q"]
    return kind.lower(), params


def has_parameters(content_type: str) -> bool:
    kind, params = _split(content_type)
    return kind == MEDIA_TYPE and bool(params)


def only_modified_instances(accept: str) -> bool:
    instances = [_split(r) for r in accept.split(",")]
    ours = [params for kind, params in instances if kind == MEDIA_TYPE]
    return bool(ours) and all(ours)


class JSONAPIContentNegotiation(DefaultContentNegotiation):
    def select_parser(self, request, parsers):
        # The SDK sends Content-Type on GET and DELETE too: bodies are parsed lazily (when a view
        # reads request.data); select_renderer below has refused parameters already.
        if has_parameters(request.content_type or ""):
            return None
        return super().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        # Called first on every request (DRF's initial()), so both media type rules hold for
        # every method.
        if has_parameters(request.content_type or ""):
            raise UnsupportedMediaType(request.content_type)
        if only_modified_instances(request.META.get("HTTP_ACCEPT", "")):
            raise NotAcceptable()
        return super().select_renderer(request, renderers, format_suffix)
