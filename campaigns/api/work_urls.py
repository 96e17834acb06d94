"""The worker's campaign routes (listed before the others in /api/v1/: every claim is resolved here)."""

from crowdplatform.api.routers import OptionalSlashRouter

from .views import WorkCampaignViewSet

router = OptionalSlashRouter()
router.include_root_view = False
router.register("work/campaigns", WorkCampaignViewSet, basename="work-campaign")

urlpatterns = router.urls
