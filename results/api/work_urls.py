"""The worker's assignment routes (listed before the others in /api/v1/: every submit is resolved here)."""

from crowdplatform.api.routers import OptionalSlashRouter

from .views import WorkAssignmentViewSet

router = OptionalSlashRouter()
router.include_root_view = False
router.register("work/assignments", WorkAssignmentViewSet, basename="work-assignment")

urlpatterns = router.urls
