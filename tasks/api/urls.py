from crowdplatform.api.routers import OptionalSlashRouter

from .views import CampaignTaskViewSet, TaskViewSet

router = OptionalSlashRouter()
router.include_root_view = False
router.register(r"campaigns/(?P<campaign_pk>\d+)/tasks", CampaignTaskViewSet, basename="campaign-task")
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = router.urls
