"""Uploaded media: component media requesters show in screens, recordings and drawings workers make.

A file is accepted by what its bytes are (magic numbers, the ``filetype`` library), not by its name or
the type the client declared, within ``CROWD_MEDIA_MAX_BYTES`` and ``CROWD_MEDIA_TYPES``. It is stored
through Django's storage API under a random key, and read back only by those who may see it
(``media_get_for_user``).
"""

import hashlib
import secrets
from datetime import timedelta

import filetype
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import get_script_prefix
from django.utils import timezone

from campaigns.selectors import campaign_list_for_worker
from crowdplatform.errors import ApplicationError, NotFound, ValidationFailed
from projects.models import JobScreen, ScreenMedia
from projects.screens import media_key

from .models import MediaFile, MediaKind, Task

# Where an uploaded file is served, below the mount (the script prefix of a request served under a path
# prefix); ``projects.screens.media_key`` finds the key in it again.
MEDIA_PATH = "api/v1/media/{key}/"
# Containers that hold sound alone as well as film (MediaRecorder's WebM, MP4): kept as video, and also
# accepted where a recording of sound is asked for.
_AUDIO_CONTAINERS = {"video/webm", "video/mp4", "video/x-matroska"}
_SNIFF_BYTES = 8192
# How long an uploaded component file may wait to be put into a screen before it is purged.
ORPHAN_AFTER = timedelta(days=1)


class FileTooLarge(ApplicationError):
    status = 413
    code = "file-too-large"


def media_url(media: MediaFile) -> str:
    """The file's path on this server, behind the path prefix the platform is mounted under, if any."""
    return get_script_prefix() + MEDIA_PATH.format(key=media.key)


def _kind_of(content_type: str) -> str:
    return content_type.split("/", 1)[0]


def sniff(head: bytes) -> str | None:
    """The content type the bytes show, or None when they show no known type."""
    found = filetype.guess(head)
    return found.mime if found else None


def media_upload(*, owner: User, upload: UploadedFile, task: Task | None = None) -> MediaFile:
    """Store one uploaded file, checked by its bytes; ``task`` for a worker's recording or drawing."""
    if upload is None:
        raise ValidationFailed("Send the file as multipart form field 'file'.", code="required", field="file")
    if upload.size > settings.CROWD_MEDIA_MAX_BYTES:
        raise FileTooLarge(
            f"The file is larger than {settings.CROWD_MEDIA_MAX_BYTES} bytes.",
            field="file",
            extra={"max_bytes": settings.CROWD_MEDIA_MAX_BYTES},
        )
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    content_type = sniff(head)
    if content_type is None or content_type not in settings.CROWD_MEDIA_TYPES:
        raise ValidationFailed(
            "The file is not an allowed picture, sound or film (its contents were checked, not its name).",
            code="unsupported-media-type",
            field="file",
            extra={"allowed": list(settings.CROWD_MEDIA_TYPES)},
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    key = secrets.token_urlsafe(16)
    extension = filetype.get_type(mime=content_type).extension
    media = MediaFile(
        key=key,
        owner=owner,
        task=task,
        kind=_kind_of(content_type),
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        original_name=(upload.name or "")[:255],
    )
    # The row and the stored file go together: a refused row leaves no file behind.
    with transaction.atomic():
        media.file.save(f"{key}.{extension}", upload, save=False)
        try:
            media.save()
        except Exception:
            media.file.storage.delete(media.file.name)
            raise
    return media


def media_check_result(*, url: str, kind: str, worker: User, task_id: int) -> MediaFile:
    """The file a recording or drawing result points at: uploaded by this worker for the task they answer,
    of the kind the component records (a PNG for drawings). Raises ValidationFailed otherwise."""
    key = media_key(url)
    media = MediaFile.objects.filter(key=key, owner=worker, task_id=task_id).first() if key else None
    if media is None:
        raise ValidationFailed("url must be a file you uploaded for this assignment.", code="media-not-found")
    fits = {
        "audio": media.kind == MediaKind.AUDIO or media.content_type in _AUDIO_CONTAINERS,
        "video": media.kind == MediaKind.VIDEO,
        "image": media.content_type == "image/png",
    }[kind]
    if not fits:
        raise ValidationFailed(
            f"url must be {'a PNG image' if kind == 'image' else f'an {kind} file'}; it is {media.content_type}.",
            code="wrong-media-kind",
        )
    return media


def media_get_for_user(*, user: User, key: str) -> MediaFile:
    """A file for someone who may see it: its owner; staff; for component media, workers offered a campaign
    whose jobs show it and requesters whose screens show it; for a worker's file, the requester of the task
    it was made for. Anyone else: 404."""
    media = MediaFile.objects.filter(key=key).select_related("task__campaign__project").first()
    if media is None or not user.is_authenticated:
        raise NotFound("No such file.", code="media-not-found")
    if user.is_staff or media.owner_id == user.pk:
        return media
    if media.task_id is not None:
        if media.task.campaign.project.owner_id == user.pk:
            return media
        raise NotFound("No such file.", code="media-not-found")
    screens = ScreenMedia.objects.filter(key=key).values("screen_id")
    if ScreenMedia.objects.filter(key=key, screen__owner=user).exists():
        return media
    jobs = JobScreen.objects.filter(screen_id__in=screens).values("job_id")
    offered = campaign_list_for_worker(user=user).filter(Q(tasks__job_id__in=jobs)).exists()
    if offered:
        return media
    raise NotFound("No such file.", code="media-not-found")


def media_open(*, media: MediaFile):
    return media.file.storage.open(media.file.name, "rb")


def media_purge_unreferenced(*, now=None, older_than: timedelta = ORPHAN_AFTER) -> int:
    """Delete component media no screen refers to, uploaded more than ``older_than`` ago (a requester's
    upload is given that long to be put into a screen). Media a screen shows, and workers' recordings and
    drawings, are kept. Idempotent: a second run finds nothing more."""
    cutoff = (now or timezone.now()) - older_than
    due = MediaFile.objects.filter(task__isnull=True, created_at__lt=cutoff).exclude(
        key__in=ScreenMedia.objects.values("key")
    )
    removed = 0
    for media in due.iterator():
        with transaction.atomic():
            # Taken away only if still unreferenced when its row goes (a screen may have just been saved).
            deleted, _ = (
                MediaFile.objects.filter(pk=media.pk)
                .exclude(key__in=ScreenMedia.objects.values("key"))
                .delete()
            )
            if deleted:
                transaction.on_commit(
                    lambda name=media.file.name, storage=media.file.storage: storage.delete(name)
                )
                removed += 1
    return removed


def media_bytes_by_screen(screen_ids) -> dict[int, int]:
    """The bytes of the uploaded files each screen shows (two queries, however many screens)."""
    refs = list(ScreenMedia.objects.filter(screen_id__in=screen_ids).values_list("screen_id", "key"))
    sizes = dict(MediaFile.objects.filter(key__in={key for _, key in refs}).values_list("key", "size"))
    found = dict.fromkeys(screen_ids, 0)
    for screen_id, key in refs:
        found[screen_id] += sizes.get(key, 0)
    return found
