import io

from rest_framework.parsers import BaseParser


class CsvBody:
    """A ``text/csv`` request body, handed to the view as a binary stream."""

    def __init__(self, stream):
        self.stream = stream


class CsvParser(BaseParser):
    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        # Hand over the request stream itself: the ingest reads it incrementally, never the whole body.
        return CsvBody(stream if stream is not None else io.BytesIO(b""))
