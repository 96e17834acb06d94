"""The native API, mounted at /api/v1/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .views import ApiIndexView

app_name = "api"

urlpatterns = [
    re_path(r"^$", ApiIndexView.as_view(), name="index"),
    re_path(r"^schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^docs/?$", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("projects.api.urls")),
]
