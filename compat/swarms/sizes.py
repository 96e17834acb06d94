"""``resourcesSize`` and ``estimatedUploadSize`` of Swarms tasks (screens) and jobs: what a worker
downloads (the screens' definitions and the uploaded files they show) and about what they upload
(``projects.components.estimated_upload_bytes``), written as the seed writes sizes ("3MB"). Computed for a
whole page at once: three queries, however many objects."""

import orjson

from projects.components import estimated_upload_bytes
from projects.models import JobScreen
from tasks.media import media_bytes_by_screen

_UNITS = (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024))


def size_text(size: int) -> str:
    """``"3MB"``, ``"2.5MB"``, ``"120KB"``, ``"0B"``."""
    for unit, bytes_in_unit in _UNITS:
        if size >= bytes_in_unit:
            return f"{round(size / bytes_in_unit, 1):g}{unit}"
    return f"{size}B"


def _definition_bytes(components) -> int:
    return len(orjson.dumps(components))


def attach_task_sizes(screens) -> list:
    """Set ``swarms_sizes`` (resources, upload) on each screen."""
    screens = list(screens)
    media = media_bytes_by_screen({screen.pk for screen in screens})
    for screen in screens:
        screen.swarms_sizes = (
            _definition_bytes(screen.components) + media[screen.pk],
            estimated_upload_bytes(screen.components),
        )
    return screens


def attach_job_sizes(jobs) -> list:
    """Set ``swarms_sizes`` on each job: its distinct screens' resources, and an upload per screen shown."""
    jobs = list(jobs)
    places = list(
        JobScreen.objects.filter(job_id__in={job.pk for job in jobs}).values_list(
            "job_id", "screen_id", "screen__components"
        )
    )
    media = media_bytes_by_screen({screen_id for _, screen_id, _ in places})
    resources = {job.pk: {} for job in jobs}
    uploads = dict.fromkeys(resources, 0)
    for job_id, screen_id, components in places:
        resources[job_id][screen_id] = _definition_bytes(components) + media[screen_id]
        uploads[job_id] += estimated_upload_bytes(components)
    for job in jobs:
        job.swarms_sizes = (sum(resources[job.pk].values()), uploads[job.pk])
    return jobs
