from django.urls import re_path

from .media_views import MediaFileView, MediaUploadView, WorkJobScreensView

urlpatterns = [
    re_path(r"^media/?$", MediaUploadView.as_view(), name="media-upload"),
    re_path(r"^media/(?P<key>[A-Za-z0-9_-]{16,64})/?$", MediaFileView.as_view(), name="media-file"),
    re_path(
        r"^work/assignments/(?P<assignment_id>\d+)/job/?$", WorkJobScreensView.as_view(), name="work-job"
    ),
]
