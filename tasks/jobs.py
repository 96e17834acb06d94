"""Jobs published by campaigns, and the answers given to them.

A job added to a campaign becomes one task of that campaign (``Task.job``, no input): it is claimed,
capped, timed, reviewed, approved and paid like any other task, so a job of several screens counts once.
The answers to such a task are checked here against the job's screens (``job_answers_checked``, called by
the submit before anything is written) and laid out per screen and component for readers
(``job_task_results``).
"""

from datetime import datetime

import orjson
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from campaigns.budget import campaign_budget_add_tasks
from campaigns.lifecycle import accepts_new_tasks
from campaigns.models import Campaign, CampaignState
from campaigns.services import campaign_archive, campaign_create, campaign_qs_for_update, campaign_unarchive
from crowdplatform.errors import Conflict, NotFound, ValidationFailed
from crowdplatform.sqlrows import Statement
from projects.components import REGISTRY, check_answers
from projects.models import Job, JobScreen, Screen
from projects.screens import job_copy, job_set_archived
from projects.selectors import job_screens

from .media import media_check_result
from .models import ImportJob, Task
from .staging import tasks_ensure_written

MAX_JOBS_PER_CALL = 10_000


def _jobs_for(campaign: Campaign, job_ids) -> list[Job]:
    if not isinstance(job_ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in job_ids
    ):
        raise ValidationFailed("Send a JSON list of job ids.", code="invalid-type", field="jobs")
    if len(job_ids) > MAX_JOBS_PER_CALL:
        raise ValidationFailed(f"At most {MAX_JOBS_PER_CALL} jobs at a time.", code="too-many", field="jobs")
    found = Job.objects.filter(owner_id=campaign.project.owner_id, pk__in=job_ids).in_bulk()
    for index, pk in enumerate(job_ids):
        if pk not in found:
            raise ValidationFailed(f"No such job: {pk}.", code="job-not-found", field=f"jobs[{index}]")
        if found[pk].archived:
            raise Conflict(f"Job {pk} is archived.", code="job-archived", field=f"jobs[{index}]")
    with_screens = set(JobScreen.objects.filter(job_id__in=job_ids).values_list("job_id", flat=True))
    for index, pk in enumerate(job_ids):
        if pk not in with_screens:
            raise ValidationFailed(f"Job {pk} has no screens.", code="job-empty", field=f"jobs[{index}]")
    return [found[pk] for pk in dict.fromkeys(job_ids)]


def _lock_for_jobs(campaign: Campaign) -> Campaign:
    campaign = campaign_qs_for_update().select_related("project").get(pk=campaign.pk)
    if not accepts_new_tasks(campaign.state):
        raise Conflict(f"Jobs cannot be added to a {campaign.state} campaign.", code="campaign-closed")
    if Task.objects.filter(campaign=campaign, job__isnull=True).exists() or campaign.tasks_staged:
        raise Conflict(
            "This campaign holds template tasks; jobs are published by a campaign of their own.",
            code="campaign-has-template-tasks",
        )
    return campaign


def _add(campaign: Campaign, jobs: list[Job], by: User | None) -> int:
    """Write one task per job after the campaign's last, and count them (campaign locked by the caller)."""
    start = (Task.objects.filter(campaign=campaign).aggregate(m=Max("position"))["m"] or 0) + 1
    Task.objects.bulk_create(
        [
            Task(
                campaign=campaign,
                position=start + i,
                input={},
                job=job,
                results_needed=campaign.results_per_task,
            )
            for i, job in enumerate(jobs)
        ]
    )
    campaign_budget_add_tasks(campaign=campaign, count=len(jobs), by=by)
    Campaign.objects.filter(pk=campaign.pk).update(tasks_count=F("tasks_count") + len(jobs))
    ImportJob.objects.create(campaign=campaign, filename="jobs", header=[], rows=len(jobs), created_by=by)
    return len(jobs)


@transaction.atomic
def campaign_jobs_add(*, campaign: Campaign, job_ids, by: User | None = None) -> list[Job]:
    """Publish these jobs in the campaign too (jobs it already has are left as they are)."""
    campaign = _lock_for_jobs(campaign)
    jobs = _jobs_for(campaign, job_ids)
    present = set(Task.objects.filter(campaign=campaign).values_list("job_id", flat=True))
    _add(campaign, [job for job in jobs if job.pk not in present], by)
    return campaign_job_list(campaign=campaign)


@transaction.atomic
def campaign_jobs_set(*, campaign: Campaign, job_ids, by: User | None = None) -> list[Job]:
    """Replace the campaign's jobs, in this order; only before the campaign is published."""
    campaign = _lock_for_jobs(campaign)
    if campaign.state != CampaignState.UNPUBLISHED:
        raise Conflict(
            "The jobs of a published campaign can only be added to, not replaced.", code="campaign-published"
        )
    jobs = _jobs_for(campaign, job_ids)
    _, removed = Task.objects.filter(campaign=campaign).delete()
    Campaign.objects.filter(pk=campaign.pk).update(
        tasks_count=F("tasks_count") - removed.get(Task._meta.label, 0)
    )
    _add(campaign, jobs, by)
    return campaign_job_list(campaign=campaign)


def campaign_job_list(*, campaign: Campaign) -> list[Job]:
    """The jobs a campaign publishes, in the order they were added."""
    tasks = (
        Task.objects.filter(campaign=campaign, job__isnull=False).select_related("job").order_by("position")
    )
    return [task.job for task in tasks]


_COPIED_FIELDS = (
    "title",
    "description",
    "terms",
    "est_duration_s",
    "results_per_task",
    "max_results_per_worker",
    "restricted",
    "time_allowed_s",
    "start_at",
    "end_at",
    "login_required",
    "training",
    "filename",
    "payment_per_result",
    "review_window_s",
)


@transaction.atomic
def campaign_copy(*, campaign: Campaign, deep: bool = False, by: User) -> Campaign:
    """A new unpublished campaign with the same conditions and workers, publishing the same jobs (with
    ``deep``, copies of them and of their screens) and the same template task inputs."""
    values = {name: getattr(campaign, name) for name in _COPIED_FIELDS}
    copy = campaign_create(project=campaign.project, created_by=by, name=campaign.name, **values)
    copy.worker_users.set(campaign.worker_users.all())
    copy.worker_groups.set(campaign.worker_groups.all())
    tasks_ensure_written(campaign=campaign)
    copies: dict[int, Job] = {}
    rows = []
    for task in Task.objects.filter(campaign=campaign).select_related("job").order_by("position"):
        job = task.job
        if job is not None and deep:
            if job.pk not in copies:
                copies[job.pk] = job_copy(job=job, deep=True)
            job = copies[job.pk]
        rows.append(
            Task(
                campaign=copy,
                position=task.position,
                input=task.input,
                job=job,
                results_needed=copy.results_per_task,
            )
        )
    Task.objects.bulk_create(rows, batch_size=2000)
    Campaign.objects.filter(pk=copy.pk).update(tasks_count=len(rows))
    copy.tasks_count = len(rows)
    return copy


@transaction.atomic
def campaign_set_archived(*, campaign: Campaign, archived: bool, deep: bool = False) -> Campaign:
    """Archive (with ``deep``, its jobs and their screens too) or unarchive a campaign; unarchiving brings
    back what it includes as well."""
    campaign = (campaign_archive if archived else campaign_unarchive)(campaign=campaign)
    if deep or not archived:
        for job in Job.objects.filter(tasks__campaign=campaign).distinct():
            job_set_archived(job=job, archived=archived, deep=True)
    return campaign


# --- answers ----------------------------------------------------------------------------------------------

# Answers to a job are an object of one key, this one (``{"screens": [...]}``). Only answers of that shape are
# looked at as a job's: a submit of other answers skips the look at its task, and the one-call submit
# (``results.submit_sql``) writes a job's task only with answers that have this key.
JOB_ANSWERS_KEY = "screens"


def shaped_as_job_answers(answers) -> bool:
    return isinstance(answers, dict) and JOB_ANSWERS_KEY in answers


# The task ``t`` of the assignment ``%(id)s``, named by the assignment's key for a statement that also joins
# them, so that the task is read by its own key. Given only the join, PostgreSQL may merge it with the task
# table read in order from the start, when its statistics say that the assignments reach only the first
# tasks (as they do of any assignment newer than the last ANALYZE): 2,700 buffers and 4 ms for an assignment
# on the 10,000th task, against 5 and 0.1 ms. (The submit's read, ``results.submit_sql.OWN_BY_ID``, too.)
PINNED_TASK = "t.id = (SELECT p.task_id FROM results_assignment p WHERE p.id = %(id)s)"

# The job of the worker's assignment with its screens in order, in one round trip (read only for answers
# shaped as a job's; a template task then gives one row with no job).
# Prepared once per database session (crowdplatform.sqlrows), as the submit's own statements are.
_JOB_OF_ASSIGNMENT = Statement(
    "SELECT t.job_id, s.id, s.components, t.id"
    " FROM results_assignment a JOIN tasks_task t ON t.id = a.task_id"
    " LEFT JOIN projects_jobscreen js ON js.job_id = t.job_id LEFT JOIN projects_screen s ON s.id = js.screen_id"
    " WHERE a.id = %(id)s AND a.worker_id = %(worker)s"
    f" AND {PINNED_TASK} ORDER BY js.position"
)


def _parse_time(value, field: str) -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise ValidationFailed(
            f"{field} must be an ISO-8601 date and time.", code="invalid-datetime", field=field
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.utc)
    return moment


def check_job_answers(*, job_id: int, answers, media=None, screens: list[Screen] | None = None) -> dict:
    """Check answers to a job against its screens (see docs/components.md); return them as stored."""
    if (
        not isinstance(answers, dict)
        or set(answers) != {JOB_ANSWERS_KEY}
        or not isinstance(answers[JOB_ANSWERS_KEY], list)
    ):
        raise ValidationFailed(
            "Answers to a job are an object with one key, screens: one entry per screen of the job.",
            code="invalid-type",
            field="answers.screens",
        )
    screens = job_screens(job_id=job_id) if screens is None else screens
    given = answers[JOB_ANSWERS_KEY]
    if len(given) != len(screens):
        raise ValidationFailed(
            f"The job has {len(screens)} screens; answers were given for {len(given)}.",
            code="screen-count",
            field="answers.screens",
        )
    stored = []
    for place, (screen, entry) in enumerate(zip(screens, given, strict=True)):
        at = f"answers.screens[{place}]"
        if not isinstance(entry, dict):
            raise ValidationFailed("Each screen's answers are an object.", code="invalid-type", field=at)
        unknown = sorted(set(entry) - {"screen", "startedAt", "completedAt", "results"})
        if unknown:
            raise ValidationFailed(
                f"Unknown field {unknown[0]}.", code="unknown-field", field=f"{at}.{unknown[0]}"
            )
        if entry.get("screen") != screen.pk:
            raise ValidationFailed(
                f"Screen {place + 1} of the job is screen {screen.pk}.",
                code="wrong-screen",
                field=f"{at}.screen",
            )
        started = _parse_time(entry.get("startedAt"), f"{at}.startedAt")
        completed = _parse_time(entry.get("completedAt"), f"{at}.completedAt")
        if completed < started:
            raise ValidationFailed(
                "completedAt cannot be before startedAt.", code="invalid-range", field=f"{at}.completedAt"
            )
        try:
            results = check_answers(
                screen.components, entry.get("results", {}), media=media, prefix=f"{at}.results"
            )
        except ValidationFailed as exc:
            exc.extra = {"screen": place, **exc.extra}
            raise
        stored.append(
            {
                "screen": screen.pk,
                "startedAt": entry["startedAt"],
                "completedAt": entry["completedAt"],
                "results": results,
            }
        )
    return {JOB_ANSWERS_KEY: stored}


def job_answers_checked(*, assignment_id: int, worker: User, answers) -> dict | None:
    """The submit's check for a job: None when the assignment's task is not a job (its answers are then
    checked as template answers), else the answers checked against the job's screens. A fault refuses the
    submit as a whole, before anything is written. Unknown assignments pass through: the submit itself
    answers those. (A task's job never changes, so reading it before the submit's write is safe.)"""
    with connection.cursor() as cursor:
        _JOB_OF_ASSIGNMENT.execute(cursor, {"id": assignment_id, "worker": worker.pk})
        rows = cursor.fetchall()
    if not rows or rows[0][0] is None:
        return None
    # A job is submitted only while its campaign is published, and then its screens can no longer change.
    screens = [
        Screen(pk=pk, components=orjson.loads(components)) for _, pk, components, _ in rows if pk is not None
    ]
    task_id = rows[0][3]

    def media(url: str, kind: str) -> None:
        media_check_result(url=url, kind=kind, worker=worker, task_id=task_id)

    return check_job_answers(job_id=rows[0][0], answers=answers, media=media, screens=screens)


def job_task_results(*, job_id: int, answers: dict, screens: list[Screen] | None = None) -> list[dict]:
    """Stored answers to a job in the seed's result shape: per screen its task (id, name), times, and one
    entry per interactive component, ``{"data": <definition>, "result": <result or None>}``."""
    screens = job_screens(job_id=job_id) if screens is None else screens
    given = answers.get(JOB_ANSWERS_KEY, []) if isinstance(answers, dict) else []
    out = []
    for place, screen in enumerate(screens):
        entry = given[place] if place < len(given) and isinstance(given[place], dict) else {}
        results = entry.get("results", {})
        out.append(
            {
                "task": {"id": screen.pk, "name": screen.name},
                "startedAt": entry.get("startedAt"),
                "completedAt": entry.get("completedAt"),
                "components": [
                    {"data": component, "result": results.get(str(index))}
                    for index, component in enumerate(screen.components)
                    if REGISTRY[component["type"]].interactive
                ],
            }
        )
    return out


def job_answer_columns(
    *, job_id: int, answers: dict, screens: list[Screen] | None = None
) -> dict[str, object]:
    """Stored answers to a job as flat columns for CSV: ``s<place>.c<index>.<key>`` (place from 1)."""
    screens = job_screens(job_id=job_id) if screens is None else screens
    given = answers.get(JOB_ANSWERS_KEY, []) if isinstance(answers, dict) else []
    columns: dict[str, object] = {}
    for place, screen in enumerate(screens, 1):
        entry = given[place - 1] if place - 1 < len(given) and isinstance(given[place - 1], dict) else {}
        for index, component in enumerate(screen.components):
            spec = REGISTRY[component["type"]]
            if spec.interactive:
                result = entry.get("results", {}).get(str(index)) or {}
                columns[f"s{place}.c{index}.{spec.result_key}"] = result.get(spec.result_key)
    return columns


def assignment_job_screens(*, worker: User, assignment_id: int) -> tuple[Job, list[Screen]]:
    """The job and screens of the worker's own assignment, for showing it; 404 for anything else."""
    task = (
        Task.objects.filter(assignments__pk=assignment_id, assignments__worker=worker, job__isnull=False)
        .select_related("job")
        .first()
    )
    if task is None:
        raise NotFound("No such assignment of a job.", code="assignment-not-found")
    return task.job, job_screens(job_id=task.job_id)
