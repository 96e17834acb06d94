from rest_framework.negotiation import DefaultContentNegotiation

from .parsers import JSONParser


class LenientJsonNegotiation(DefaultContentNegotiation):
    """A body sent without a Content-Type is read as JSON: OrderlyWeb's clients post JSON that way."""

    def select_parser(self, request, parsers):
        if not request.content_type:
            return next((p for p in parsers if isinstance(p, JSONParser)), JSONParser())
        return super().select_parser(request, parsers)
