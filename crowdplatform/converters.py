"""Path converters shared by every surface's URLs (the native API, the dialects, the worker pages).

Importing this module registers them; each ``urls.py`` that uses ``<id:...>`` or ``<name:...>`` imports it.
"""

from django.urls import register_converter

# Every table's key is a PostgreSQL bigint.
MAX_ID = 2**63 - 1


class IdConverter:
    """A database id: decimal digits whose value fits a bigint.

    A longer number matches no route, so it is answered as any unknown URL of its surface (a 404 in that
    surface's shape) instead of reaching a query that cannot hold it.
    """

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(f"{value} is not a 64-bit id")
        return number

    def to_url(self, value) -> str:
        return str(value)


class NameConverter:
    """A name in a path (a username, a group name): any characters but ``/`` and NUL.

    PostgreSQL's text cannot hold NUL, so no stored name holds one (the serializers refuse it): such a name
    matches no route, a 404 rather than a query that fails.
    """

    regex = "[^/\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IdConverter, "id")
register_converter(NameConverter, "name")
