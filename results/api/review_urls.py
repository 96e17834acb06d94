from crowdplatform.api.routers import optional_slash

from . import review_views as views

urlpatterns = [
    *optional_slash("assignments/<id:pk>/approve", views.ResultApproveView.as_view(), name="result-approve"),
    *optional_slash("assignments/<id:pk>/reject", views.ResultRejectView.as_view(), name="result-reject"),
    *optional_slash(
        "assignments/<id:pk>/soft-reject", views.ResultSoftRejectView.as_view(), name="result-soft-reject"
    ),
    *optional_slash(
        "assignments/<id:pk>/overturn", views.ResultOverturnView.as_view(), name="result-overturn"
    ),
    *optional_slash("assignments/<id:pk>/quality", views.ResultQualityView.as_view(), name="result-quality"),
    *optional_slash(
        "campaigns/<id:pk>/approve-all", views.CampaignApproveAllView.as_view(), name="campaign-approve-all"
    ),
    *optional_slash(
        "campaigns/<id:pk>/workers", views.CampaignWorkerListView.as_view(), name="campaign-workers"
    ),
    *optional_slash("workers", views.WorkerStandingListView.as_view(), name="worker-standing-list"),
]
