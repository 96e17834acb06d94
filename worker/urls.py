from django.contrib.auth import views as auth_views
from django.urls import path

import crowdplatform.converters  # noqa: F401  (registers the id converter)

from . import views

app_name = "worker"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="worker/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="worker:login"), name="logout"),
    path("auto-accept/", views.auto_accept, name="auto_accept"),
    path("campaigns/<id:campaign_id>/", views.campaign_preview, name="campaign_preview"),
    path("campaigns/<id:campaign_id>/accept/", views.campaign_accept_next, name="campaign_accept_next"),
    path("tasks/<id:task_id>/frame/", views.task_preview_frame, name="task_frame"),
    path("tasks/<id:task_id>/accept/", views.task_accept, name="task_accept"),
    path("tasks/<id:task_id>/skip/", views.task_skip_view, name="task_skip"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/<id:assignment_id>/", views.assignment_page, name="assignment"),
    path("assignments/<id:assignment_id>/frame/", views.assignment_frame, name="frame"),
    path("assignments/<id:assignment_id>/submit/", views.assignment_submit_view, name="submit"),
    path("assignments/<id:assignment_id>/answers/", views.assignment_answers_view, name="answers"),
    path("assignments/<id:assignment_id>/return/", views.assignment_return_view, name="return"),
    path("assignments/<id:assignment_id>/skip/", views.assignment_skip_view, name="skip"),
    path("history/", views.history, name="history"),
    path("payments/", views.payments, name="payments"),
]
