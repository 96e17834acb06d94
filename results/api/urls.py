from crowdplatform.api.routers import OptionalSlashRouter

from .views import AssignmentViewSet

router = OptionalSlashRouter()
router.include_root_view = False
router.register("assignments", AssignmentViewSet, basename="assignment")

urlpatterns = router.urls
