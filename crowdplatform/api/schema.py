"""OpenAPI descriptions of the native API's own authentication classes."""

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


def native_endpoints_only(endpoints, **kwargs):
    """Preprocessing hook: the native schema describes /api/v1/ only, not the dialects mounted beside it."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(NATIVE_PREFIX)]
