"""A worker's recordings and drawings: uploaded for their own assignment while it still takes answers."""

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from crowdplatform.errors import Conflict, NotFound
from tasks.media import media_upload
from tasks.models import MediaFile

from .lifecycle import submittable
from .models import Assignment


def assignment_media_upload(*, assignment_id: int, worker: User, upload: UploadedFile) -> MediaFile:
    """Store a file for the worker's own assignment, if the lifecycle lets them hand it in now."""
    assignment = (
        Assignment.objects.filter(pk=assignment_id, worker=worker).select_related("task", "campaign").first()
    )
    if assignment is None:
        raise NotFound("No such assignment.", code="assignment-not-found")
    if not submittable(assignment, now=timezone.now()):
        raise Conflict("This assignment no longer takes answers.", code="assignment-not-open")
    return media_upload(owner=worker, upload=upload, task=assignment.task)
