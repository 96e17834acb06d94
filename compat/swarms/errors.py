"""The Swarms error body ``{"code": <int>, "message", "description"}`` and its stable table of codes.

Engine errors keep their kebab-case code in ``error`` (and the field at fault in ``field``), so a client
can tell them apart; ``code`` is the number from ``CODES`` (docs/swarms.md lists it).
"""

from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response

from crowdplatform.errors import ApplicationError

# number: (HTTP status, message, description). Never renumber: clients match on these.
CODES: dict[int, tuple[int, str, str]] = {
    1000: (401, "invalid credentials", "The given credentials did not match any user in our database"),
    1001: (
        401,
        "authentication required",
        "Send a valid X-Auth-Token header; the token may have been discarded.",
    ),
    1002: (429, "too many login failures", "Too many failed logins from this address; try again later."),
    1003: (403, "forbidden", "This token may not use this route (requester routes need a requester)."),
    1100: (400, "invalid request", "The request body or a parameter is not valid."),
    1101: (400, "unsupported API version", "X-API-Version names a version this server does not speak."),
    1102: (400, "invalid id", "Ids are whole numbers."),
    1103: (400, "invalid component", "A component of the task is not valid."),
    1104: (400, "invalid duration", 'A duration is a number and a unit, such as "3 hours" or "10 sec".'),
    1105: (
        400,
        "invalid parameter",
        "A query parameter (limit, order, state, since, after, before) is not valid.",
    ),
    1200: (404, "not found", "No such resource, or it is not yours."),
    1201: (405, "method not allowed", "This route does not take this method."),
    1300: (409, "conflict", "The action is not allowed in the object's current state."),
    1301: (409, "read only", "The resource belongs to a published campaign; copy it instead."),
    1400: (402, "insufficient funds", "Your available balance does not cover the campaign's budget."),
    1500: (413, "file too large", "The uploaded file is larger than the server accepts."),
    1501: (415, "unsupported media type", "The request's content type or the file's type is not accepted."),
}

# Engine field names as Swarms spells them, for the ``field`` of an error.
FIELD_NAMES = {
    "results_per_task": "results",
    "payment_per_result": "workerPayment",
    "max_results_per_worker": "maxResultsPerWorker",
    "time_allowed_s": "maxWorkTime",
    "review_window_s": "maxReviewTime",
    "start_at": "startDate",
    "end_at": "endDate",
    "screens": "tasks",
}

COMPONENT_CODES = {
    "unknown-type",
    "unknown-attribute",
    "missing-attribute",
    "invalid-type",
    "invalid-choice",
    "invalid-url",
    "out-of-range",
    "invalid-range",
    "off-step",
    "duplicate-option",
    "too-long",
}


def _number(status: int, engine_code: str, field: str | None) -> int:
    if status == 400:
        if field and field.startswith("components") and engine_code in COMPONENT_CODES | {"required"}:
            return 1103
        if engine_code == "invalid-duration":
            return 1104
        if engine_code == "invalid-id":
            return 1102
        if engine_code == "invalid-parameter":
            return 1105
        if engine_code == "unsupported-version":
            return 1101
        return 1100
    if status == 409 and engine_code in {"read-only", "screen-read-only", "job-read-only"}:
        return 1301
    by_status = {
        401: 1001,
        402: 1400,
        403: 1003,
        404: 1200,
        405: 1201,
        409: 1300,
        413: 1500,
        415: 1501,
        429: 1002,
    }
    return by_status.get(status, 1100)


def body(number: int, message: str | None = None, *, error: str = "", field: str | None = None) -> dict:
    _, default_message, description = CODES[number]
    out = {"code": number, "message": default_message, "description": message or description}
    if error:
        out["error"] = error
    if field:
        out["field"] = field
    return out


class SwarmsError(ApplicationError):
    """An error of the wire itself (a bad parameter, a bad id); ``number`` is its entry in ``CODES``."""

    def __init__(self, number: int, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message, code=code, status=CODES[number][0], field=field)
        self.number = number


def error_response(number: int, message: str | None = None, **kwargs) -> JsonResponse:
    return JsonResponse(body(number, message, **kwargs), status=CODES[number][0])


def swarms_exception_handler(exc, context):
    if isinstance(exc, SwarmsError):
        data, status = body(exc.number, exc.message, error=exc.code, field=exc.field), exc.status
    elif isinstance(exc, ApplicationError):
        number = _number(exc.status, exc.code, exc.field)
        if exc.code == "invalid-credentials":
            number = 1000
        field = FIELD_NAMES.get(exc.field, exc.field) if exc.field else None
        data, status = body(number, exc.message, error=exc.code, field=field), exc.status
    elif isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        data, status = body(1001, str(exc.detail), error="not-authenticated"), 401
    elif isinstance(exc, exceptions.PermissionDenied):
        data, status = body(1003, str(exc.detail), error="forbidden"), 403
    elif isinstance(exc, exceptions.Throttled):
        data, status = body(1002, str(exc.detail), error="throttled"), 429
    elif isinstance(exc, exceptions.ValidationError):
        field, message = _first_error(exc.detail)
        data, status = body(1100, message, error="invalid", field=field), 400
    elif isinstance(exc, exceptions.ParseError):
        data, status = body(1100, str(exc.detail), error="invalid-json"), 400
    elif isinstance(exc, exceptions.NotFound):
        data, status = body(1200, error="not-found"), 404
    elif isinstance(exc, exceptions.MethodNotAllowed):
        data, status = body(1201, str(exc.detail), error="method-not-allowed"), 405
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        data, status = body(1501, str(exc.detail), error="unsupported-media-type"), 415
    elif isinstance(exc, exceptions.NotAcceptable):
        data, status = body(1100, str(exc.detail), error="not-acceptable"), 406
    else:
        return None
    response = Response(data, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "X-Auth-Token"
    return response


def _first_error(detail, prefix: str = "") -> tuple[str | None, str]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            field, message = _first_error(value, f"{prefix}.{name}" if prefix and name else prefix or name)
            return field, message
    if isinstance(detail, list) and detail:
        for index, value in enumerate(detail):
            if value:
                inner = f"{prefix}[{index}]" if isinstance(value, (dict, list)) else prefix
                return _first_error(value, inner)
    return (prefix or None), f"{prefix}: {detail}" if prefix else str(detail)
