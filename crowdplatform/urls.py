from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerView

from compat.turkle.views import TurkleUnknownView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="worker:home", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("crowdplatform.api.urls")),
    path("api/v2/", include("crowdplatform.api.v2_urls")),
    # The Turkle-compatible API's docs page (its schema is /api/schema/), served offline as /api/v1/docs/ is.
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="turkle-schema"), name="turkle-docs"),
    path("api/", include("compat.turkle.urls")),
    path("worker/", include("worker.urls")),
    # The Swarms-compatible API (seed 004), its schema at /swarms/schema/ and docs page at /swarms/docs/.
    path("swarms/", include("compat.swarms.urls")),
    # Last: any other URL under /api/ is a JSON 404 in Turkle's shape (the native API has its own, under
    # /api/v1/), never Django's HTML page. A surface mounted under /api/ goes above this line.
    re_path(r"^api/", TurkleUnknownView.as_view()),
]
