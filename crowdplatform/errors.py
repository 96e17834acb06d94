"""One error vocabulary for the whole platform.

Services raise ``ApplicationError`` with a stable machine-readable ``code``; each API surface
has one exception handler that turns it into that surface's error shape.
"""

from __future__ import annotations


class ApplicationError(Exception):
    status = 400
    code = "bad-request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        field: str | None = None,
        line: int | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.field = field
        self.line = line
        self.extra = extra or {}

    def as_item(self) -> dict:
        item = {"code": self.code, "message": self.message}
        if self.field is not None:
            item["field"] = self.field
        if self.line is not None:
            item["line"] = self.line
        item.update(self.extra)
        return item


class ValidationFailed(ApplicationError):
    status = 400
    code = "invalid"


class NotFound(ApplicationError):
    status = 404
    code = "not-found"


class Forbidden(ApplicationError):
    status = 403
    code = "forbidden"


class Conflict(ApplicationError):
    """A request that is well-formed but not allowed in the object's current state."""

    status = 409
    code = "conflict"


class InsufficientFunds(ApplicationError):
    status = 402
    code = "insufficient-funds"
