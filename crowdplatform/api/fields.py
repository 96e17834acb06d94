"""Query-string parsing and fields shared by the API surfaces."""

from django.core.validators import RegexValidator
from rest_framework import serializers

from crowdplatform.errors import ValidationFailed

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


class FileNameField(serializers.CharField):
    """The name of a file a requester uploaded, given back in download headers: no control characters.

    Quotes and non-ASCII letters are fine (``streaming_attachment`` spells them safely); a line break or a
    NUL is a 400 naming the field, instead of a header that cannot be sent.
    """

    default_validators = [
        RegexValidator(
            r"[\x00-\x1f\x7f]",
            inverse_match=True,
            message="A file name cannot hold control characters (line breaks, tabs, NUL).",
            code="invalid-filename",
        )
    ]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
