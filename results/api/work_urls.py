"""The worker's assignment routes (listed before the others in /api/v1/: every submit is resolved here)."""

from django.urls import re_path

from crowdplatform.api.routers import OptionalSlashRouter

from .views import WorkAssignmentViewSet
from .work_media_views import WorkMediaUploadView

router = OptionalSlashRouter()
router.include_root_view = False
router.register("work/assignments", WorkAssignmentViewSet, basename="work-assignment")

urlpatterns = [
    *router.urls,
    re_path(
        r"^work/assignments/(?P<assignment_id>\d+)/media/?$",
        WorkMediaUploadView.as_view(),
        name="work-media-upload",
    ),
]
