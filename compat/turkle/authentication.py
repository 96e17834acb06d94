from drf_spectacular.extensions import OpenApiAuthenticationExtension

from accounts.authentication import ApiTokenAuthentication


class TurkleTokenAuthentication(ApiTokenAuthentication):
    """``Authorization: Token <key>`` (keyword in any case), as Turkle's clients send it.

    No challenge header, so DRF answers a missing or bad credential with 403, as Turkle does.
    """

    keywords = ("token",)

    def authenticate_header(self, request):
        return None


class TurkleTokenScheme(OpenApiAuthenticationExtension):
    target_class = TurkleTokenAuthentication
    name = "turkleTokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <API token>` (the keyword in any case).",
        }
