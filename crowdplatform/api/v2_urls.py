"""/api/v2/: what OrderlyWeb's current clients call — the login exchange and the report routes, in the same
envelope as /api/v1/. Everything else lives at /api/v1/ only."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from .views import UnknownEndpointView

app_name = "api-v2"

urlpatterns = [
    path("", include("accounts.api.login_urls")),
    re_path(
        r"^schema/?$",
        SpectacularAPIView.as_view(
            custom_settings={
                "TITLE": "Crowdplatform API v2 (OrderlyWeb clients)",
                "SCHEMA_PATH_PREFIX": r"/api/v2",
                "PREPROCESSING_HOOKS": ["crowdplatform.api.schema.v2_endpoints_only"],
            }
        ),
        name="schema",
    ),
    path("", include("reports.api.urls")),
    re_path(r"^.*$", UnknownEndpointView.as_view(), name="unknown"),
]
