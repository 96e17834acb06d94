"""Turkle's error shape: DRF's own ``{"detail"}`` and ``{"<field>": ["message"]}`` bodies."""

from rest_framework.response import Response
from rest_framework.views import exception_handler

from crowdplatform.errors import ApplicationError


def turkle_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        return Response(body, status=exc.status)
    return exception_handler(exc, context)
