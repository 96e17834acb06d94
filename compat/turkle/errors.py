"""Turkle's error shape: DRF's own ``{"detail"}`` and ``{"<field>": ["message"]}`` bodies."""

from rest_framework.response import Response
from rest_framework.views import exception_handler

from crowdplatform.errors import ApplicationError


def turkle_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        response = Response(body, status=exc.status)
        if "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response
    return exception_handler(exc, context)
