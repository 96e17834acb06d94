import io
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from crowdplatform.limits import MAX_JSON_DEPTH

# A \uD800-\uDFFF escape: half of a surrogate pair, which is valid JSON text but no character on its own.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _lone_surrogate(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _too_deep() -> ParseError:
    return ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.", code="json-too-deep")


def _not_text() -> ParseError:
    return ParseError(
        "JSON text holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not a character.",
        code="invalid-unicode",
    )


def _check_json_value(value, *, surrogates: bool) -> None:
    """Refuse what no column or encoder can hold: nesting beyond MAX_JSON_DEPTH, lone surrogates. (The
    errors are made only when raised: this runs on every request with a body.)"""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if surrogates and any(_lone_surrogate(key) for key in item):
                raise _not_text()
            children = item.values()
        elif isinstance(item, list):
            children = item
        elif surrogates and _lone_surrogate(item):
            raise _not_text()
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
            elif surrogates and _lone_surrogate(child):
                raise _not_text()


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, shared by every API surface, with bounds on what it hands to the views.

    Python's parser accepts nesting until it runs out of stack (a RecursionError, a 500) and ``\\udc00``
    escapes that no database or encoder accepts later; both are a 400 here, before any view sees them.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parsers.get_encoding(parser_context)
        try:
            text = stream.read().decode(encoding)
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError as exc:
            raise ParseError(
                f"JSON nested deeper than {MAX_JSON_DEPTH} levels.", code="json-too-deep"
            ) from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        _check_json_value(data, surrogates=_SURROGATE_ESCAPE.search(text) is not None)
        return data


class CsvBody:
    """A ``text/csv`` request body, handed to the view as a binary stream."""

    def __init__(self, stream):
        self.stream = stream


class CsvParser(parsers.BaseParser):
    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        # Hand over the request stream itself: the ingest reads it incrementally, never the whole body.
        return CsvBody(stream if stream is not None else io.BytesIO(b""))
