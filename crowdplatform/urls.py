from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/worker/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("crowdplatform.api.urls")),
    path("api/v2/", include("crowdplatform.api.v2_urls")),
    path("api/", include("compat.turkle.urls")),
    path("worker/", include("worker.urls")),
]
