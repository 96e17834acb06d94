"""Writes on screens and jobs: create, change, copy, archive, delete.

A screen's components are checked by the registry (``projects.components``) on every save, and its
references to uploaded media (``ScreenMedia``) are kept in step in the same transaction. Screens and jobs
that a published campaign offers are read-only: results already given refer to their components.
"""

import re

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import ProtectedError, Q

from crowdplatform.errors import Conflict, NotFound, ValidationFailed
from crowdplatform.jsonvalues import holds_nul

from .components import media_urls, validate_components
from .models import Job, JobScreen, Screen, ScreenMedia

MAX_SCREENS_PER_JOB = 100
# The key of a file uploaded to this server, from the URL its upload returned (``tasks.media``).
_MEDIA_KEY = re.compile(r"/media/([A-Za-z0-9_-]{16,64})/?$")
# A job offered by a campaign that has been published (``tasks.Task.job``, ``Campaign.published_at``).
_PUBLISHED = Q(tasks__campaign__published_at__isnull=False)


def media_key(url: str) -> str | None:
    """The key of an uploaded file a URL points at, or None for an address elsewhere."""
    found = _MEDIA_KEY.search(url.split("?", 1)[0]) if isinstance(url, str) else None
    return found.group(1) if found else None


def _check_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed("A name is needed.", code="required", field="name")
    if len(name) > 200 or holds_nul(name):
        raise ValidationFailed("name must be at most 200 characters of text.", code="invalid", field="name")
    return name


def _check_properties(properties) -> dict:
    if not isinstance(properties, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in properties.items()
    ):
        raise ValidationFailed(
            "properties must be an object of text keys and text values.",
            code="invalid-type",
            field="properties",
        )
    if holds_nul(properties):
        raise ValidationFailed("properties hold a NUL character.", code="nul-character", field="properties")
    return properties


def jobs_published(jobs) -> bool:
    """Whether any of these jobs is offered by a campaign that has been published."""
    return Job.objects.filter(pk__in=jobs).filter(_PUBLISHED).exists()


def screen_is_read_only(*, screen: Screen) -> bool:
    return jobs_published(JobScreen.objects.filter(screen=screen).values("job_id"))


def job_is_read_only(*, job: Job) -> bool:
    return jobs_published([job.pk])


def _refresh_media(screen: Screen) -> None:
    keys = {key for key in map(media_key, media_urls(screen.components)) if key}
    ScreenMedia.objects.filter(screen=screen).exclude(key__in=keys).delete()
    known = set(ScreenMedia.objects.filter(screen=screen).values_list("key", flat=True))
    ScreenMedia.objects.bulk_create([ScreenMedia(screen=screen, key=key) for key in sorted(keys - known)])


@transaction.atomic
def screen_create(*, owner: User, name: str, components=(), properties=None) -> Screen:
    screen = Screen.objects.create(
        owner=owner,
        name=_check_name(name),
        components=validate_components(list(components) if isinstance(components, tuple) else components),
        properties=_check_properties(properties or {}),
    )
    _refresh_media(screen)
    return screen


@transaction.atomic
def screen_update(*, screen: Screen, **values) -> Screen:
    unknown = sorted(set(values) - {"name", "components", "properties"})
    if unknown:
        raise ValidationFailed(f"Unknown field {unknown[0]}.", code="unknown-field", field=unknown[0])
    screen = Screen.objects.select_for_update().get(pk=screen.pk)
    if screen_is_read_only(screen=screen):
        raise Conflict(
            "This screen is in a job of a published campaign and cannot be changed; copy it instead.",
            code="read-only",
        )
    if "name" in values:
        screen.name = _check_name(values["name"])
    if "components" in values:
        screen.components = validate_components(values["components"])
    if "properties" in values:
        screen.properties = _check_properties(values["properties"])
    screen.save()
    _refresh_media(screen)
    return screen


@transaction.atomic
def screen_copy(*, screen: Screen, owner: User | None = None) -> Screen:
    copy = Screen.objects.create(
        owner=owner or screen.owner,
        name=screen.name,
        components=screen.components,
        properties=screen.properties,
    )
    _refresh_media(copy)
    return copy


def screen_set_archived(*, screen: Screen, archived: bool) -> Screen:
    Screen.objects.filter(pk=screen.pk).update(archived=archived)
    screen.refresh_from_db()
    return screen


@transaction.atomic
def screen_delete(*, screen: Screen) -> None:
    try:
        screen.delete()
    except ProtectedError:
        raise Conflict("This screen is part of a job; take it out of the job first.", code="in-use") from None


def _screens_for(owner: User, screen_ids) -> list[Screen]:
    if not isinstance(screen_ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in screen_ids
    ):
        raise ValidationFailed("screens must be a list of screen ids.", code="invalid-type", field="screens")
    if len(screen_ids) > MAX_SCREENS_PER_JOB:
        raise ValidationFailed(
            f"A job holds at most {MAX_SCREENS_PER_JOB} screens.", code="too-many", field="screens"
        )
    found = Screen.objects.filter(owner=owner, pk__in=screen_ids).in_bulk()
    for index, pk in enumerate(screen_ids):
        if pk not in found:
            raise NotFound(f"No such screen: {pk}.", code="screen-not-found", field=f"screens[{index}]")
    return [found[pk] for pk in screen_ids]


def _set_screens(job: Job, screens: list[Screen]) -> None:
    JobScreen.objects.filter(job=job).delete()
    JobScreen.objects.bulk_create(
        [JobScreen(job=job, screen=screen, position=position) for position, screen in enumerate(screens, 1)]
    )


@transaction.atomic
def job_create(*, owner: User, name: str, description: str = "", properties=None, screens=()) -> Job:
    if not isinstance(description, str) or holds_nul(description):
        raise ValidationFailed("description must be text.", code="invalid-type", field="description")
    chosen = _screens_for(owner, list(screens))
    job = Job.objects.create(
        owner=owner,
        name=_check_name(name),
        description=description,
        properties=_check_properties(properties or {}),
    )
    _set_screens(job, chosen)
    return job


def job_lock(*, job: Job) -> Job:
    return Job.objects.select_for_update().get(pk=job.pk)


@transaction.atomic
def job_update(*, job: Job, **values) -> Job:
    unknown = sorted(set(values) - {"name", "description", "properties", "screens"})
    if unknown:
        raise ValidationFailed(f"Unknown field {unknown[0]}.", code="unknown-field", field=unknown[0])
    job = job_lock(job=job)
    if job_is_read_only(job=job):
        raise Conflict(
            "This job is offered by a published campaign and cannot be changed; copy it instead.",
            code="read-only",
        )
    if "name" in values:
        job.name = _check_name(values["name"])
    if "description" in values:
        if not isinstance(values["description"], str) or holds_nul(values["description"]):
            raise ValidationFailed("description must be text.", code="invalid-type", field="description")
        job.description = values["description"]
    if "properties" in values:
        job.properties = _check_properties(values["properties"])
    if "screens" in values:
        _set_screens(job, _screens_for(job.owner, values["screens"]))
    job.save()
    return job


@transaction.atomic
def job_copy(*, job: Job, deep: bool = False, owner: User | None = None) -> Job:
    """A new job with the same screens; with ``deep`` the screens are copied too."""
    screens = [js.screen for js in JobScreen.objects.filter(job=job).select_related("screen")]
    if deep:
        copies: dict[int, Screen] = {}
        for screen in screens:
            if screen.pk not in copies:
                copies[screen.pk] = screen_copy(screen=screen, owner=owner)
        screens = [copies[screen.pk] for screen in screens]
    copy = Job.objects.create(
        owner=owner or job.owner, name=job.name, description=job.description, properties=job.properties
    )
    _set_screens(copy, screens)
    return copy


@transaction.atomic
def job_set_archived(*, job: Job, archived: bool, deep: bool = False) -> Job:
    """Archive (with ``deep``, its screens too) or unarchive a job; unarchiving always includes its screens."""
    Job.objects.filter(pk=job.pk).update(archived=archived)
    if deep or not archived:
        Screen.objects.filter(job_screens__job=job).update(archived=archived)
    job.refresh_from_db()
    return job


@transaction.atomic
def job_delete(*, job: Job) -> None:
    try:
        job.delete()
    except ProtectedError:
        raise Conflict("This job is published by a campaign.", code="in-use") from None
