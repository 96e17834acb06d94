from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerView

urlpatterns = [
    path("", RedirectView.as_view(url="/worker/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("crowdplatform.api.urls")),
    # The Turkle-compatible API's docs page (its schema is /api/schema/), served offline as /api/v1/docs/ is.
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="turkle-schema"), name="turkle-docs"),
    path("api/", include("compat.turkle.urls")),
    path("worker/", include("worker.urls")),
    # The Swarms-compatible API (seed 004), its schema at /swarms/schema/ and docs page at /swarms/docs/.
    path("swarms/", include("compat.swarms.urls")),
]
