from crowdplatform.api.routers import OptionalSlashRouter

from .views import CampaignViewSet, ProjectCampaignViewSet

router = OptionalSlashRouter()
router.include_root_view = False
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("projects/<id:project_pk>/campaigns", ProjectCampaignViewSet, basename="project-campaign")

urlpatterns = router.urls
