"""Accept negotiation: vnd.api+json, or anything that admits it (`*/*`, none at all)."""

from rest_framework.negotiation import DefaultContentNegotiation


class JSONAPIContentNegotiation(DefaultContentNegotiation):
    def select_parser(self, request, parsers):
        # The SDK sends Content-Type on GET and DELETE too: only bodies are checked (DRF parses
        # lazily, when a view reads request.data).
        return super().select_parser(request, parsers)
