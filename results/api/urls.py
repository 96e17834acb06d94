from crowdplatform.api.routers import OptionalSlashRouter

from .views import AssignmentViewSet, WorkAssignmentViewSet

router = OptionalSlashRouter()
router.include_root_view = False
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("work/assignments", WorkAssignmentViewSet, basename="work-assignment")

urlpatterns = router.urls
