from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.models import ApiToken
from accounts.selectors import api_token_get_active


class SwarmsTokenAuthentication(authentication.BaseAuthentication):
    """``X-Auth-Token: <token>``: a platform API token (from ``/auth/token/request`` or any other)."""

    def authenticate(self, request):
        key = request.headers.get("X-Auth-Token")
        if not key:
            return None
        token = api_token_get_active(key=key.strip())
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid (expired or discarded).")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        # A challenge makes DRF answer 401 (not 403) when the token is missing or bad.
        return "X-Auth-Token"


class SwarmsTokenScheme(OpenApiAuthenticationExtension):
    target_class = SwarmsTokenAuthentication
    name = "swarmsToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Token",
            "description": "From POST /auth/token/request.",
        }
