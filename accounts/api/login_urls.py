"""The login exchange alone, for surfaces that mount it beside other routes (/api/v2/)."""

from django.urls import re_path

from .views import LoginView

urlpatterns = [re_path(r"^login/?$", LoginView.as_view(), name="login")]
