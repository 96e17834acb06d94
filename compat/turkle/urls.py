"""Turkle's REST API, mounted at /api/ (seed 001), with its own OpenAPI schema at /api/schema/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

import crowdplatform.converters  # noqa: F401  (registers the id and name converters)

from .views import (
    TurkleBatchViewSet,
    TurkleGroupViewSet,
    TurkleProjectViewSet,
    TurkleRootView,
    TurkleUserViewSet,
)


class TurkleRouter(DefaultRouter):
    APIRootView = TurkleRootView
    include_format_suffixes = False

    def __init__(self):
        super().__init__(use_regex_path=False)
        # Ids are <id:pk>: a number beyond 64 bits matches no route.
        self._default_value_pattern = "id"


router = TurkleRouter()
router.register("users", TurkleUserViewSet, basename="turkle-user")
router.register("groups", TurkleGroupViewSet, basename="turkle-group")
router.register("projects", TurkleProjectViewSet, basename="turkle-project")
router.register("batches", TurkleBatchViewSet, basename="turkle-batch")
router.root_view_name = "turkle-root"

turkle_patterns = router.urls

schema_view = SpectacularAPIView.as_view(
    urlconf=[path("api/", include(turkle_patterns))],
    authentication_classes=[],
    permission_classes=[AllowAny],
    custom_settings={
        "TITLE": "Crowdplatform — Turkle-compatible API",
        "DESCRIPTION": "Turkle's REST API (users, groups, projects, batches) on the Crowdplatform engine.",
        "VERSION": "1.0.0",
        "SCHEMA_PATH_PREFIX": r"/api",
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "compat.turkle.errors.turkle_error_responses",
            "crowdplatform.api.schema.request_rules",
        ],
    },
)

urlpatterns = [
    path("schema/", schema_view, name="turkle-schema"),
    *turkle_patterns,
]
