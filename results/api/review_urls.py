from django.urls import re_path

from . import review_views as views

urlpatterns = [
    re_path(r"^assignments/(?P<pk>\d+)/approve/?$", views.ResultApproveView.as_view(), name="result-approve"),
    re_path(r"^assignments/(?P<pk>\d+)/reject/?$", views.ResultRejectView.as_view(), name="result-reject"),
    re_path(
        r"^assignments/(?P<pk>\d+)/soft-reject/?$",
        views.ResultSoftRejectView.as_view(),
        name="result-soft-reject",
    ),
    re_path(
        r"^assignments/(?P<pk>\d+)/overturn/?$", views.ResultOverturnView.as_view(), name="result-overturn"
    ),
    re_path(r"^assignments/(?P<pk>\d+)/quality/?$", views.ResultQualityView.as_view(), name="result-quality"),
    re_path(
        r"^campaigns/(?P<pk>\d+)/approve-all/?$",
        views.CampaignApproveAllView.as_view(),
        name="campaign-approve-all",
    ),
    re_path(
        r"^campaigns/(?P<pk>\d+)/workers/?$", views.CampaignWorkerListView.as_view(), name="campaign-workers"
    ),
    re_path(r"^workers/?$", views.WorkerStandingListView.as_view(), name="worker-standing-list"),
]
