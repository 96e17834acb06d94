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
            response = error_response(
                1101,
                f"X-API-Version {version!r} is not supported; this server speaks {', '.join(SUPPORTED_VERSIONS)}.",
                error="unsupported-version",
            )
            version = DEFAULT_VERSION
        else:
            response = self.get_response(request)
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
