"""The native API, mounted at /api/v1/. Each app contributes its own routes."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import schema  # noqa: F401  (registers the token auth scheme)
from .routers import optional_slash
from .views import ApiIndexView, UnknownEndpointView

app_name = "api"

urlpatterns = [
    # The worker's routes first: a request is matched against the patterns in order, and claims and submits
    # are most of the traffic.
    path("", include("campaigns.api.work_urls")),
    path("", include("results.api.work_urls")),
    path("", ApiIndexView.as_view(), name="index"),
    *optional_slash(
        "schema",
        SpectacularAPIView.as_view(
            custom_settings={"PREPROCESSING_HOOKS": ["crowdplatform.api.schema.native_endpoints_only"]}
        ),
        name="schema",
    ),
    *optional_slash("docs", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("accounts.api.urls")),
    path("", include("accounts.api.money_urls")),
    path("", include("projects.api.urls")),
    path("", include("campaigns.api.urls")),
    path("", include("tasks.api.urls")),
    path("", include("results.api.urls")),
    path("", include("results.api.review_urls")),
    path("", include("results.api.export_urls")),
    path("", include("reports.api.urls")),
    path("", include("projects.api.screen_urls")),
    path("", include("tasks.api.media_urls")),
    # Last: anything else under /api/v1/ is an enveloped 404, not Django's HTML page.
    # [\s\S], not ".": a path with a line break (%0A) is unknown too, not left to the next surface.
    re_path(r"^[\s\S]*$", UnknownEndpointView.as_view(), name="unknown"),
]
