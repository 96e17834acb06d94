"""Small wire formats of Swarms: timestamps, money, ids, query parameters, bodies."""

from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .errors import SwarmsError

MAX_LIMIT = 100
DEFAULT_LIMIT = 10


def timestamp(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC with no offset, as the seed writes it: ``2017-08-02T13:58:24``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") if moment else None


def date_minutes(moment: datetime | None) -> str | None:
    """The seed's campaign dates: ``2018-01-01T10:00`` (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") if moment else None


def parse_moment(value, field: str, number: int = 1100) -> datetime:
    """A date and time in ISO-8601; without an offset it is UTC (the seed's timestamps carry none)."""
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise SwarmsError(
            number,
            f"{field} must be an ISO-8601 date and time such as 2018-03-14T03:14.",
            code="invalid-datetime",
            field=field,
        )
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def money(amount) -> str:
    """The profile's balance, "42 USD": the amount and the platform's currency."""
    return f"{Decimal(amount).normalize():f} {settings.CROWD_CURRENCY}"


def object_id(value, field: str = "id") -> int:
    """A path id: a whole number, else 400 (code 1102)."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    raise SwarmsError(1102, f"{field} must be a whole number; got {value!r}.", code="invalid-id", field=field)


def limit_param(request) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise SwarmsError(
            1105,
            f"limit must be a whole number from 1 to {MAX_LIMIT}; got {raw!r}.",
            code="invalid-parameter",
            field="limit",
        )
    return int(raw)


def bool_param(request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw.lower() in {"true", "1", "yes"}:
        return True
    if raw.lower() in {"false", "0", "no"}:
        return False
    raise SwarmsError(
        1105, f"{name} must be true or false; got {raw!r}.", code="invalid-parameter", field=name
    )


def body_dict(request) -> dict:
    """An action's body: ``{}`` for an empty body or a literal ``null`` (what Swarms clients send)."""
    data = request.data
    if data is None or data == {} or (hasattr(data, "keys") and not data):
        return {}
    if not isinstance(data, dict):
        raise SwarmsError(1100, "The body must be a JSON object.", code="invalid-type")
    return data
