"""Conventions of every Swarms response: ``X-Request-ID`` and ``X-API-Version``, and the request's log line.

Only requests under the Swarms mount are touched (``SWARMS_MOUNT``, ``/swarms/``).
"""

import logging
import uuid

from .errors import error_response

logger = logging.getLogger("compat.swarms.requests")

SWARMS_MOUNT = "/swarms/"
SUPPORTED_VERSIONS = ("1.0",)
DEFAULT_VERSION = "1.0"


def _request_id(sent: str | None) -> str:
    """The client's id when it is a UUID (echoed as sent), else a new one."""
    if sent:
        try:
            uuid.UUID(sent)
            return sent
        except ValueError:
            pass
    return str(uuid.uuid4())


def unsupported_version_message(version: str) -> str:
    return f"X-API-Version {version!r} is not supported; this server speaks {', '.join(SUPPORTED_VERSIONS)}."


class SwarmsConventionsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(SWARMS_MOUNT):
            return self.get_response(request)
        request_id = _request_id(request.headers.get("X-Request-ID"))
        request.swarms_request_id = request_id
        version = (request.headers.get("X-API-Version") or DEFAULT_VERSION).strip()
        if version not in SUPPORTED_VERSIONS:
            # Refused by the Swarms views before anything else (``SwarmsView.initial``), inside the CORS
            # middleware, so that a browser can read the error too.
            request.swarms_unsupported_version = version
            version = DEFAULT_VERSION
        response = self.get_response(request)
        if getattr(request, "swarms_unsupported_version", None) and not getattr(
            request, "swarms_version_refused", False
        ):
            # A route that is not a Swarms view (the schema, the docs page) is refused here.
            response = error_response(
                1101,
                unsupported_version_message(request.swarms_unsupported_version),
                error="unsupported-version",
            )
        response["X-Request-ID"] = request_id
        response["X-API-Version"] = version
        logger.info(
            "swarms request_id=%s %s %s %s",
            request_id,
            request.method,
            request.get_full_path(),
            response.status_code,
        )
        return response
