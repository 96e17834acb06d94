"""Every write of the reports app: create a report, queue a run, kill it, publish a version, sweep the queue,
pack and import bundles."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import PermissionName
from campaigns.selectors import campaign_get_for_requester
from crowdplatform.celery import app as celery_app
from crowdplatform.errors import ApplicationError, Conflict, ValidationFailed
from projects.selectors import project_get

from .access import RUN, permissions_on
from .keys import run_key
from .kinds import kind_get
from .models import ChangelogLabel, Report, ReportRun, ReportScope, ReportVersion, RunStatus

RUN_TASK = "reports.tasks.run_report"
DEFAULT_TIMEOUT = 3 * 3600  # seed 003: three hours
MAX_TIMEOUT = 24 * 3600


def _check_scope(*, user: User, scope: str, scope_id: int) -> None:
    """The caller must be able to read the results the report reads."""
    if scope == ReportScope.CAMPAIGN:
        campaign_get_for_requester(user=user, pk=scope_id, permission=PermissionName.RESULTS_READ)
    elif scope == ReportScope.PROJECT:
        project_get(user=user, pk=scope_id, permission=PermissionName.RESULTS_READ)
    else:
        raise ValidationFailed("scope must be campaign or project.", code="invalid-choice", field="scope")


@transaction.atomic
def report_create(
    *,
    user: User,
    name: str,
    kind: str,
    scope: str,
    scope_id: int,
    display_name: str = "",
    description: str = "",
    parameters: dict | None = None,
) -> Report:
    found = kind_get(kind)
    defaults = found.parameters(parameters)
    _check_scope(user=user, scope=scope, scope_id=scope_id)
    if Report.objects.filter(name=name).exists():
        raise ApplicationError(
            f"A report called {name!r} exists already.",
            code=f"duplicate-key:{name}",
            status=409,
            field="name",
        )
    try:
        with transaction.atomic():
            return Report.objects.create(
                name=name,
                kind=kind,
                scope=scope,
                scope_id=scope_id,
                display_name=display_name,
                description=description,
                parameters={k: v for k, v in defaults.items() if k in (parameters or {})},
                owner=user,
            )
    except IntegrityError as clash:
        raise ApplicationError(
            f"A report called {name!r} exists already.", code=f"duplicate-key:{name}", status=409
        ) from clash


def changelog_items(changelog) -> list[dict]:
    """OrderlyWeb's ``changelog``: ``{"message", "type"}`` (type public or internal), a list of them, or text."""
    if changelog in (None, "", []):
        return []
    if isinstance(changelog, str):
        changelog = {"message": changelog, "type": ChangelogLabel.PUBLIC}
    if isinstance(changelog, dict):
        changelog = [changelog]
    if not isinstance(changelog, list):
        raise ValidationFailed(
            "changelog must be an object {message, type}.", code="invalid-changelog", field="changelog"
        )
    items = []
    for index, item in enumerate(changelog):
        message = item.get("message") if isinstance(item, dict) else None
        label = (item.get("type") or ChangelogLabel.PUBLIC) if isinstance(item, dict) else None
        if not isinstance(message, str) or not message.strip() or label not in ChangelogLabel.values:
            raise ValidationFailed(
                "Each changelog entry needs a message and a type (public or internal).",
                code="invalid-changelog",
                field=f"changelog[{index}]",
            )
        items.append({"label": label, "value": message.strip()})
    return items


def report_run_queue(
    *, user: User, report: Report, params: dict | None = None, changelog=None, timeout: int | None = None
) -> ReportRun:
    """Queue a run of ``report``; the Celery task starts it once this transaction commits."""
    values = kind_get(report.kind).parameters({**report.parameters, **(params or {})})
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    if not 1 <= timeout <= MAX_TIMEOUT:
        raise ValidationFailed(
            f"timeout must be 1 to {MAX_TIMEOUT} seconds.", code="out-of-range", field="timeout"
        )
    items = changelog_items(changelog)
    with transaction.atomic():
        for _ in range(20):
            key = run_key()
            if not ReportRun.objects.filter(key=key).exists():
                break
        else:
            key = f"{run_key()}_{timezone.now():%H%M%S%f}"
        run = ReportRun.objects.create(
            key=key, report=report, parameters=values, changelog=items, timeout=timeout, requested_by=user
        )
        # Sent through the project's own Celery app: a shared task resolves "the current app" per thread,
        # and a request's thread may not have the project's.
        transaction.on_commit(lambda: celery_app.tasks[RUN_TASK].delay(run.pk))
    return run


def report_run_now(*, user: User, report: Report, params: dict | None = None, changelog=None) -> ReportRun:
    """Queue a run and carry it out in this process at once (the demo data and management commands). The
    queued message, if a worker takes it too, finds the run no longer queued and does nothing."""
    from .runner import report_run_execute

    run = report_run_queue(user=user, report=report, params=params, changelog=changelog)
    report_run_execute(run.pk)
    run.refresh_from_db()
    return run


def report_run_kill(*, run: ReportRun) -> ReportRun:
    """A queued run ends at once; a running one stops at its next check, stores nothing, ends interrupted."""
    now = timezone.now()
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            raise Conflict(f"The run {run.key} has ended ({run.status}).", code="invalid-operation-error")
        run.kill_requested = True
        fields = ["kill_requested"]
        if run.status == RunStatus.QUEUED:
            run.status, run.finished_at = RunStatus.INTERRUPTED, now
            run.output = "[ killed ] before it started"
            fields += ["status", "finished_at", "output"]
        run.save(update_fields=fields)
    return run


def version_publish(*, version: ReportVersion, value: bool = True) -> bool:
    ReportVersion.objects.filter(pk=version.pk).update(published=value)
    return value


def report_runs_sweep(*, now=None) -> dict:
    """The queue's housekeeping, set-based and idempotent:
    - a running run past its time limit (plus the grace the worker gets) ends ``interrupted``;
    - a running run whose heartbeat stopped (its worker died) ends ``orphan``."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.CROWD_REPORT_ORPHAN_AFTER)
    running = ReportRun.objects.filter(status=RunStatus.RUNNING)
    timed_out = 0
    for run in running.only("pk", "started_at", "timeout"):
        if run.started_at + timedelta(seconds=run.timeout) + grace <= now:
            timed_out += running.filter(pk=run.pk).update(status=RunStatus.INTERRUPTED, finished_at=now)
    orphaned = running.filter(heartbeat_at__lte=now - grace).update(status=RunStatus.ORPHAN, finished_at=now)
    return {"interrupted": timed_out, "orphan": orphaned}


def may_run(*, user: User, report: Report) -> bool:
    return RUN in permissions_on(user, report)
