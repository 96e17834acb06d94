"""Query-string parsing shared by the API surfaces."""

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
