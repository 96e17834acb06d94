from crowdplatform.api.routers import OptionalSlashRouter

from .views import ProjectViewSet

router = OptionalSlashRouter()
router.include_root_view = False
router.register("projects", ProjectViewSet, basename="project")

urlpatterns = router.urls
