"""Swarms durations: a number and a unit, as in "10 sec", "10 min", "3 hours", "2 days"."""

import re

from .errors import SwarmsError

UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}
_PATTERN = re.compile(r"^\s*(\d{1,9})\s*([A-Za-z]+)\s*$")


def parse_duration(value, field: str) -> int:
    """Seconds of a duration string; a 400 (code 1104) naming ``field`` when it is not one."""
    match = _PATTERN.match(value) if isinstance(value, str) else None
    unit = UNITS.get(match.group(2).lower()) if match else None
    if unit is None:
        raise SwarmsError(
            1104,
            f'{field} must be a number and a unit (sec, min, hours, days), such as "3 hours"; got {value!r}.',
            code="invalid-duration",
            field=field,
        )
    return int(match.group(1)) * unit


def format_duration(seconds: int | None) -> str | None:
    """The seed's way of writing a duration, in the largest unit that divides it: "10 sec", "10 min",
    "1 hour", "3 hours", "2 days"."""
    if seconds is None:
        return None
    for size, one, many in ((86400, "day", "days"), (3600, "hour", "hours"), (60, "min", "min")):
        if seconds and seconds % size == 0:
            count = seconds // size
            return f"{count} {one if count == 1 else many}"
    return f"{seconds} sec"
