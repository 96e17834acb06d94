from crowdplatform.api.routers import OptionalSlashRouter

from .views import CampaignTaskViewSet, TaskViewSet

router = OptionalSlashRouter()
router.include_root_view = False
router.register("campaigns/<id:campaign_pk>/tasks", CampaignTaskViewSet, basename="campaign-task")
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = router.urls
