"""The native API's error shape: the seed 003 envelope with ``errors: [{code, message}]``."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from crowdplatform.errors import ApplicationError

_DRF_CODES = {
    exceptions.NotAuthenticated: "unauthenticated",
    exceptions.AuthenticationFailed: "invalid-credentials",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not-found",
    exceptions.MethodNotAllowed: "method-not-allowed",
    exceptions.NotAcceptable: "not-acceptable",
    exceptions.UnsupportedMediaType: "unsupported-media-type",
    exceptions.Throttled: "too-many-requests",
    exceptions.ParseError: "malformed-request",
}


def kebab(code: str) -> str:
    """One style for every code: DRF's own (``invalid_choice``, ``max_length``) are written ``invalid-choice``."""
    return code.replace("_", "-")


def envelope(data=None, errors=None) -> dict:
    """Seed 003's envelope. Each error item carries its code and message twice: as ``code``/``message`` (the
    seed) and as ``error``/``detail`` (what OrderlyWeb itself writes and its clients read)."""
    items = [{**item, "error": item["code"], "detail": item["message"]} for item in errors or []]
    return {"status": "failure" if items else "success", "data": data, "errors": items}


def _flatten_validation(detail, prefix="") -> list[dict]:
    """Turn DRF's nested field errors into flat items that name the field at fault."""
    items = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            items += _flatten_validation(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
    elif isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            for value in detail:
                item = {"code": kebab(getattr(value, "code", "invalid") or "invalid"), "message": str(value)}
                if prefix:
                    item["field"] = prefix
                items.append(item)
        else:
            for index, value in enumerate(detail):
                items += _flatten_validation(value, f"{prefix}[{index}]" if prefix else f"[{index}]")
    else:
        item = {"code": kebab(getattr(detail, "code", "invalid") or "invalid"), "message": str(detail)}
        if prefix:
            item["field"] = prefix
        items.append(item)
    return items


def error_items(exc) -> tuple[int, list[dict]] | None:
    """(status, items) for any exception an API view may raise, or None for unknown ones."""
    if isinstance(exc, ApplicationError):
        item = exc.as_item()
        return exc.status, [{**item, "code": kebab(item["code"])}]
    if isinstance(exc, Http404):
        return 404, [{"code": "not-found", "message": "Resource not found."}]
    if isinstance(exc, PermissionDenied):
        return 403, [{"code": "forbidden", "message": "You do not have permission to perform this action."}]
    if isinstance(exc, exceptions.ValidationError):
        return 400, _flatten_validation(exc.detail)
    if isinstance(exc, exceptions.APIException):
        code = getattr(exc.detail, "code", None)
        if code in (None, exc.default_code):
            # DRF's default code for the class, in the platform's words; a code given on raising stays.
            code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), exc.default_code)
        return exc.status_code, [{"code": kebab(code), "message": str(exc.detail)}]
    return None


def native_exception_handler(exc, context):
    found = error_items(exc)
    if found is None:
        return None
    status_code, items = found
    response = exception_handler(exc, context) or Response(status=status_code)
    response.status_code = status_code
    if status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    if status_code == status.HTTP_429_TOO_MANY_REQUESTS and "Retry-After" not in response:
        # Every 429 says when to come back; DRF's own throttles set it, application errors carry it.
        retry_after = getattr(exc, "extra", {}).get("retry_after")
        response["Retry-After"] = str(retry_after if retry_after is not None else 60)
    response.data = envelope(errors=items)
    response.enveloped = True
    return response
