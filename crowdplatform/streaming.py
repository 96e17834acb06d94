"""Streaming CSV and JSON Lines responses whose memory does not grow with the number of rows."""

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    rows: Iterable[list], *, quoting: int = csv.QUOTE_MINIMAL, lineterminator: str = "\r\n"
) -> Iterator[str]:
    writer = csv.writer(_Echo(), quoting=quoting, lineterminator=lineterminator)
    for row in rows:
        yield writer.writerow(row)


def streaming_attachment(lines: Iterator[str], *, filename: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=content_type)
    # Django's helper quotes the name, and spells a non-ASCII one as RFC 6266's filename*: a name cannot add
    # parameters to the header.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
