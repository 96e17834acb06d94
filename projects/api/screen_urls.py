from django.urls import re_path

from crowdplatform.api.routers import OptionalSlashRouter

from .screen_views import JobViewSet, MarkdownPreviewView, ScreenViewSet

router = OptionalSlashRouter()
router.include_root_view = False
router.register("screens", ScreenViewSet, basename="screen")
router.register("jobs", JobViewSet, basename="job")

urlpatterns = [
    re_path(r"^preview/markdown/?$", MarkdownPreviewView.as_view(), name="preview-markdown"),
    *router.urls,
]
