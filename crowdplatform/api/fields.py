"""Query-string parsing and fields shared by the API surfaces."""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crowdplatform.errors import ValidationFailed

_CONTROL = re.compile("[\x00-\x1f\x7f]")

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def parse_bool(value: str | None, *, field: str, default: bool | None = None) -> bool | None:
    """Case-insensitive ``true``/``false`` (seed 003)."""
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationFailed(
        f"'{value}' is not a boolean; use true or false.", code="invalid-boolean", field=field
    )


@extend_schema_field({"type": "string", "maxLength": 200, "pattern": "^[^\\u0000-\\u001f\\u007f]+$"})
class FileNameField(serializers.CharField):
    """The name of a file a requester uploaded, given back in download headers: no control characters.

    Quotes and non-ASCII letters are fine (``streaming_attachment`` spells them safely); a line break or a
    NUL is a 400 naming the field, instead of a header that cannot be sent.
    """

    default_error_messages = {
        "invalid-filename": "A file name cannot hold control characters (line breaks, tabs, NUL)."
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if _CONTROL.search(value):
            self.fail("invalid-filename")
        return value


@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONObjectField(serializers.JSONField):
    """A JSON object (the service that takes it checks its contents and refuses anything else)."""
