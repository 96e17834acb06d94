"""Turkle's error shape: DRF's own ``{"detail"}`` and ``{"<field>": ["message"]}`` bodies."""

from rest_framework.response import Response
from rest_framework.views import exception_handler

from crowdplatform.errors import ApplicationError


def turkle_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        # Field messages for bad input (400), as DRF's serializers give them; DRF's ``{"detail"}`` for the rest
        # (a refusal names its field in the message).
        body = {exc.field: [exc.message]} if exc.field and exc.status == 400 else {"detail": exc.message}
        response = Response(body, status=exc.status)
        if "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response
    return exception_handler(exc, context)


TURKLE_ERROR_SCHEMAS = {
    "TurkleDetail": {
        "type": "object",
        "description": "Turkle's error body: a message (unauthenticated, forbidden, not found, malformed).",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "TurkleFieldErrors": {
        "type": "object",
        "description": "Turkle's 400 body: `detail`, or the messages for each field at fault.",
        "additionalProperties": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
                {"type": "object"},
            ]
        },
    },
}
_METHODS = {"get", "put", "post", "patch", "delete"}
_DESCRIPTIONS = {
    "400": ("Invalid input: the messages for each field at fault, or `detail`.", "TurkleFieldErrors"),
    "403": ("No valid token (Turkle answers 403, not 401), or not allowed.", "TurkleDetail"),
    "404": ("No such object, one you may not see, or a page past the last.", "TurkleDetail"),
}


def turkle_error_responses(result, generator, request, public):
    """Postprocessing hook of /api/schema/: every operation lists the errors it can answer, in Turkle's shapes."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(TURKLE_ERROR_SCHEMAS)
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
            codes = {"403"} if operation.get("security") else set()
            if any(p.get("in") == "path" or p.get("name") == "page" for p in parameters):
                codes.add("404")
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                codes.add("400")
            for code in codes:
                description, component = _DESCRIPTIONS[code]
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}
                        },
                    },
                )
            operation["responses"] = dict(sorted(operation["responses"].items()))
    return result
