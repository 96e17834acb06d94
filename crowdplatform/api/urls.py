"""The native API, mounted at /api/v1/. Each app contributes its own routes."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import schema  # noqa: F401  (registers the token auth scheme)
from .views import ApiIndexView, UnknownEndpointView

app_name = "api"

urlpatterns = [
    # The worker's routes first: a request is matched against the patterns in order, and claims and submits
    # are most of the traffic.
    path("", include("campaigns.api.work_urls")),
    path("", include("results.api.work_urls")),
    re_path(r"^$", ApiIndexView.as_view(), name="index"),
    re_path(
        r"^schema/?$",
        SpectacularAPIView.as_view(
            custom_settings={"PREPROCESSING_HOOKS": ["crowdplatform.api.schema.native_endpoints_only"]}
        ),
        name="schema",
    ),
    re_path(r"^docs/?$", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("accounts.api.urls")),
    path("", include("accounts.api.money_urls")),
    path("", include("projects.api.urls")),
    path("", include("campaigns.api.urls")),
    path("", include("tasks.api.urls")),
    path("", include("results.api.urls")),
    path("", include("results.api.review_urls")),
    path("", include("results.api.export_urls")),
    path("", include("projects.api.screen_urls")),
    path("", include("tasks.api.media_urls")),
    # Last: anything else under /api/v1/ is an enveloped 404, not Django's HTML page.
    re_path(r"^.*$", UnknownEndpointView.as_view(), name="unknown"),
]
