"""OpenAPI description of the native API: its authentication class, its success and its error answers."""

import re

from drf_spectacular.drainage import warn
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <API token>` or `Bearer <token from POST /api/v1/login/>`.",
        }


NATIVE_PREFIX = "/api/v1/"
V2_PREFIX = "/api/v2/"


def v2_endpoints_only(endpoints, **kwargs):
    """Preprocessing hook: /api/v2/ — OrderlyWeb's current clients' login and report routes."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(V2_PREFIX)]


def native_endpoints_only(endpoints, **kwargs):
    """Preprocessing hook: the native schema describes /api/v1/ only, not the dialects mounted beside it."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(NATIVE_PREFIX)]


ERROR_COMPONENT = "ErrorEnvelope"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}

ERROR_SCHEMAS = {
    "ErrorItem": {
        "type": "object",
        "description": "One error: a stable machine-readable code, and the field or CSV line at fault if any.",
        "properties": {
            "code": {"type": "string", "example": "invalid-url"},
            "message": {"type": "string"},
            "field": {"type": "string", "description": "The input field at fault (`a.b`, `[0].c`)."},
            "line": {"type": "integer", "description": "The CSV line at fault."},
            "error": {"type": "string", "description": "The code again, as OrderlyWeb writes it."},
            "detail": {"type": "string", "description": "The message again, as OrderlyWeb writes it."},
        },
        "required": ["code", "message", "error", "detail"],
        # Some codes carry details, e.g. insufficient-funds names `available` and `needed`.
        "additionalProperties": True,
    },
    ERROR_COMPONENT: {
        "type": "object",
        "title": "Error envelope",
        "description": "Every native error answer (seed 003): a failure envelope listing the errors.",
        "properties": {
            "status": {"type": "string", "enum": ["failure"]},
            "data": {"type": "object", "nullable": True, "description": "Always null in a failure."},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorItem"}, "minItems": 1},
        },
        "required": ["status", "data", "errors"],
    },
}

DEFAULT_ERROR_DESCRIPTIONS = {
    400: "Invalid input; each error names the `field` (or CSV `line`) at fault. Nothing is changed.",
    401: "Not logged in, or the token is not valid (unauthenticated, invalid-credentials).",
    402: "The balance is short (insufficient-funds); nothing is changed.",
    403: "Logged in, but not allowed to do this (forbidden).",
    404: "No such object, or one you may not see (not-found).",
    409: "Not allowed in the object's current state (conflict).",
}

# Operations whose service freezes money (campaigns.budget): they answer 402 when the balance is short.
# Continue does not freeze (only publish does), and approvals pay from money already frozen.
FREEZES_MONEY = {
    ("post", "/api/v1/campaigns/{id}/publish/"),  # campaign_budget_freeze
    ("post", "/api/v1/campaigns/{campaign_pk}/tasks/"),  # campaign_budget_add_tasks
    ("post", "/api/v1/assignments/{id}/overturn/"),  # a fresh unit frozen, then paid
    ("post", "/api/v1/wallets/{user_id}/adjust/"),  # an adjustment below zero
}

_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
# POST .../{id}/<action>/: an action on one object, refused in the wrong state.
_OBJECT_ACTION = re.compile(r"\}/[^/{}]+/$")


def _default_errors(method: str, path: str, operation: dict, path_parameters: list) -> set[int]:
    codes = set()
    security = operation.get("security") or []
    # drf-spectacular adds an empty requirement ({}) when anonymous callers are allowed too.
    if security and {} not in security:
        codes |= {401, 403}
    parameters = [*path_parameters, *operation.get("parameters", [])]
    # A path id that names nothing, or a page past the last one.
    if any(p.get("in") == "path" or p.get("name") == "page" for p in parameters):
        codes.add(404)
    # A body, or a query parameter (a filter, a page size) that is not valid.
    if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
        codes.add(400)
    success = {code for code in operation["responses"] if code.startswith("2")}
    # A nested create (only 201) adds to a collection; any other POST on /{id}/<action>/ changes state.
    if method == "post" and _OBJECT_ACTION.search(path) and success != {"201"}:
        codes.add(409)
    if (method, path) in FREEZES_MONEY:
        codes.add(402)
    return codes


def native_error_responses(result, generator, request, public):
    """Postprocessing hook: every native operation lists the error answers it can give, as envelopes.

    Explicit responses (and their descriptions) stay; they only gain the envelope body. The Turkle API,
    described from the same views' settings at /api/schema/, keeps its own DRF ``{"detail"}`` shapes.
    """
    native = {
        path: item
        for path, item in result.get("paths", {}).items()
        if path.startswith(NATIVE_PREFIX) or path.startswith(V2_PREFIX)
    }
    if not native:
        return result
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    unmatched = set(FREEZES_MONEY)
    for path, item in native.items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            unmatched.discard((method, path))
            responses = operation["responses"]
            for code in _default_errors(method, path, operation, item.get("parameters", [])):
                responses.setdefault(str(code), {})
            for code, response in responses.items():
                if not code.startswith("4"):
                    continue
                if not response.get("description"):
                    response["description"] = DEFAULT_ERROR_DESCRIPTIONS.get(int(code), "")
                response.setdefault("content", {"application/json": {"schema": dict(ERROR_REF)}})
            operation["responses"] = dict(sorted(responses.items()))
    for method, path in sorted(unmatched):
        warn(f"FREEZES_MONEY names {method.upper()} {path}, which is not in the native schema.")
    return result


# Success answers that are not enveloped (their view sets ``response.raw``): seed 003's login.
RAW_SUCCESS = {("post", "/api/v1/login/"), ("post", "/api/v2/login/")}
ENVELOPED_MEDIA_TYPE = "application/json"
ENVELOPE_SUFFIX = "Envelope"


def _success_envelope(payload: dict, description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "properties": {
            "status": {"type": "string", "enum": ["success"]},
            "data": payload,
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorItem"}, "maxItems": 0},
        },
        "required": ["status", "data", "errors"],
    }


def native_success_envelopes(result, generator, request, public):
    """Postprocessing hook: every native JSON success body is described inside its success envelope.

    EnvelopeRenderer wraps each payload as ``{"status": "success", "data": <payload>, "errors": []}``, so a
    payload component ``X`` is answered as ``XEnvelope``; an inline payload gets an inline envelope. The
    login (raw) and the file exports (not JSON) keep their bodies as they are.
    """
    native = {
        path: item
        for path, item in result.get("paths", {}).items()
        if path.startswith(NATIVE_PREFIX) or path.startswith(V2_PREFIX)
    }
    if not native:
        return result
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorItem", ERROR_SCHEMAS["ErrorItem"])
    envelopes = {}
    # A response object shared by two operations must be wrapped once.
    wrapped = set()
    unmatched = set(RAW_SUCCESS)
    for path, item in native.items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            if (method, path) in RAW_SUCCESS:
                unmatched.discard((method, path))
                continue
            for code, response in operation["responses"].items():
                media = response.get("content", {}).get(ENVELOPED_MEDIA_TYPE)
                if not code.startswith("2") or media is None or "schema" not in media or id(media) in wrapped:
                    continue
                wrapped.add(id(media))
                payload = media["schema"]
                name = payload.get("$ref", "").removeprefix("#/components/schemas/")
                if not name or "/" in name:
                    media["schema"] = _success_envelope(
                        payload, "A success answer around its payload, `data`."
                    )
                    continue
                envelope_name = f"{name}{ENVELOPE_SUFFIX}"
                if envelope_name in schemas and envelope_name not in envelopes:
                    warn(f"The success envelope of {name} would replace the component {envelope_name}.")
                    continue
                envelopes[envelope_name] = _success_envelope(
                    payload, f"A success answer: `data` is a {name}."
                )
                media["schema"] = {"$ref": f"#/components/schemas/{envelope_name}"}
    schemas.update(envelopes)
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    for method, path in sorted(unmatched):
        warn(f"RAW_SUCCESS names {method.upper()} {path}, which is not in the native schema.")
    return result


# Text the server refuses: PostgreSQL cannot store NUL, and every text field says so (a 400).
NO_NUL_PATTERN = "^[^\\u0000]*$"
# Decimal fields with a floor of zero, which drf-spectacular's pattern (`^-?\d…`) does not state.
NON_NEGATIVE_DECIMALS = {"payment_per_result"}


def _state_rules(schema: dict) -> None:
    """Write the server's rules into one request schema and the schemas inside it."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not ({"format", "enum", "pattern"} & set(schema)):
        schema["pattern"] = NO_NUL_PATTERN
    for name, prop in schema.get("properties", {}).items():
        if name in NON_NEGATIVE_DECIMALS and prop.get("pattern", "").startswith("^-?"):
            prop["pattern"] = "^" + prop["pattern"][3:]
        _state_rules(prop)
    for key in ("items", "additionalProperties"):
        _state_rules(schema.get(key))
    for key in ("oneOf", "anyOf", "allOf"):
        for sub in schema.get(key, []):
            _state_rules(sub)


def request_rules(result, generator, request, public):
    """Postprocessing hook (every surface): state in the schema the rules the server applies to input.

    Text never holds NUL; a payment is not negative. (Ids are bounded by their converter's description,
    PATH_CONVERTER_OVERRIDES; JSON objects by the fields that take them.)
    """
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        # Request components (COMPONENT_SPLIT_REQUEST) only: answers keep whatever was stored before.
        if name.endswith("Request"):
            _state_rules(schema)
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _state_rules(parameter.get("schema"))
            for media in operation.get("requestBody", {}).get("content", {}).values():
                if "$ref" not in media.get("schema", {}):
                    _state_rules(media.get("schema"))
    return result
