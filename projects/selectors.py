from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import PermissionName
from accounts.selectors import scoped_ids
from crowdplatform.errors import NotFound

from .models import Job, JobScreen, Project, Screen


def project_list(*, user: User, permission: str = PermissionName.PROJECTS_READ) -> QuerySet[Project]:
    """Projects the user owns or holds ``permission`` on (globally or scoped to the project)."""
    qs = Project.objects.select_related("owner", "updated_by")
    if user.is_staff:
        return qs
    is_global, project_ids = scoped_ids(user, [permission], "project")
    if is_global:
        return qs
    return qs.filter(Q(owner=user) | Q(pk__in=project_ids))


def project_get(*, user: User, pk: int, permission: str = PermissionName.PROJECTS_READ) -> Project:
    project = project_list(user=user, permission=permission).filter(pk=pk).first()
    if project is None:
        raise NotFound("No such project.", code="project-not-found")
    return project


# --- screens and jobs: a requester's own (staff see all) ---------------------------------------------------

# A job offered by a campaign that has been published: it and its screens are read-only (projects.screens).
_JOB_PUBLISHED = Q(tasks__campaign__published_at__isnull=False)


def screen_list(*, user: User) -> QuerySet[Screen]:
    published = Job.objects.filter(_JOB_PUBLISHED, job_screens__screen=OuterRef("pk"))
    qs = Screen.objects.select_related("owner").annotate(is_read_only=Exists(published))
    return qs if user.is_staff else qs.filter(owner=user)


def screen_get(*, user: User, pk: int) -> Screen:
    screen = screen_list(user=user).filter(pk=pk).first()
    if screen is None:
        raise NotFound("No such screen.", code="screen-not-found")
    return screen


def job_list(*, user: User) -> QuerySet[Job]:
    published = Job.objects.filter(_JOB_PUBLISHED, pk=OuterRef("pk"))
    qs = (
        Job.objects.select_related("owner")
        .prefetch_related(Prefetch("job_screens", queryset=JobScreen.objects.order_by("position")))
        .annotate(is_read_only=Exists(published))
    )
    return qs if user.is_staff else qs.filter(owner=user)


def job_get(*, user: User, pk: int) -> Job:
    job = job_list(user=user).filter(pk=pk).first()
    if job is None:
        raise NotFound("No such job.", code="job-not-found")
    return job


def job_screens(*, job_id: int) -> list[Screen]:
    """The job's screens in order (a screen that appears twice is listed twice)."""
    return [
        js.screen
        for js in JobScreen.objects.filter(job_id=job_id).select_related("screen").order_by("position")
    ]
