"""Password guessing is locked out per account and per client address (django-axes, see docs/security.md).

Every password check goes through Django's ``authenticate(request, ...)``, where ``LockoutBackend``
refuses a locked-out account or address and each failure is counted (the worker and admin login pages
do this as they are). Other faces use the two helpers below: ``password_login`` for a credential login
(a Swarms-style token request, for one) and ``password_attempt`` around a check of the current password
that is not a login. Both raise ``LoginThrottled`` (429, with the seconds to wait) once the account or
the address has failed ``AXES_FAILURE_LIMIT`` times within ``AXES_COOLOFF_TIME``.
"""

import math
from contextlib import AbstractContextManager, contextmanager, nullcontext

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from crowdplatform.errors import ApplicationError

from .services import CurrentPasswordIncorrect, LoginFailed, LoginThrottled


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check, skipped where there is no request to tell the client by (``manage.py`` code, the test
    client's ``login()``): every login page and API hands its request to ``authenticate``."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def retry_after(request: HttpRequest, username: str | None) -> int:
    """Seconds until the lockout of this account and this address ends (at least 1)."""
    cool_off = get_cool_off(request)
    handler = AxesProxyHandler.get_implementation()
    AxesProxyHandler.update_request(request)
    latest = max(
        (
            found
            for attempts in handler.get_user_attempts(request, {"username": username})
            if (found := attempts.aggregate(latest=Max("attempt_time"))["latest"]) is not None
        ),
        default=None,
    )
    if latest is None:
        return max(1, math.ceil(cool_off.total_seconds()))
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))


def _throttled(request: HttpRequest, username: str | None) -> LoginThrottled:
    seconds = retry_after(request, username)
    return LoginThrottled(
        f"Too many failed logins for this account or from this address; try again in {seconds} seconds.",
        extra={"retry_after": seconds},
    )


def _locked_out(request: HttpRequest, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def password_login(*, request: HttpRequest, username: str, password: str) -> User:
    """The user with these credentials; ``LoginFailed`` or, once locked out, ``LoginThrottled``."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise _throttled(request, username)
    if user is None:
        raise LoginFailed("The username or password is not right.")
    return user


@contextmanager
def password_attempt(*, request: HttpRequest, username: str, rejected: type[ApplicationError]):
    """Count a ``rejected`` password check inside the block as a failed login of ``username``."""
    if _locked_out(request, username):
        raise _throttled(request, username)
    try:
        yield
    except rejected:
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        if getattr(request, "axes_locked_out", False):
            raise _throttled(request, username) from None
        raise


def own_password_change_attempt(*, request, user: User, changes: dict) -> AbstractContextManager:
    """Around a change of ``user``: a change of one's own password checks the current one, which counts
    as a login (a token that leaks must not become a way to guess the password)."""
    if "password" not in changes or user.pk != request.user.pk:
        return nullcontext()
    return password_attempt(
        request=getattr(request, "_request", request),
        username=user.username,
        rejected=CurrentPasswordIncorrect,
    )


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out login page shows (``AXES_LOCKOUT_CALLABLE``): the page again, with why and how long.

    An API that answered the lockout itself (a 429 in its own error shape) keeps its answer.
    """
    username = (credentials or {}).get("username")
    seconds = retry_after(request, username)
    if original_response is not None and original_response.status_code == 429:
        response = original_response
    elif original_response is not None and "html" not in original_response.get("Content-Type", ""):
        # An API that let the lockout through as some other answer: never a login page there.
        message = _throttled(request, username).message
        response = JsonResponse({"detail": message, "code": LoginThrottled.code}, status=429)
    else:
        minutes = math.ceil(seconds / 60)
        context = {
            "locked_out": True,
            "retry_after": seconds,
            "retry_after_minutes": minutes,
            "next": request.POST.get("next", ""),
        }
        template = "admin/locked_out.html" if request.path.startswith(reverse("admin:index")) else None
        response = render(request, template or "worker/login.html", context, status=429)
    if not response.has_header("Retry-After"):
        response["Retry-After"] = str(seconds)
    return response
