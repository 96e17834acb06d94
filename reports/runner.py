"""Running one queued report: the kind writes its files into a scratch folder, then the version and every
file (with its md5) are stored in one go. A run that fails, is killed or times out stores nothing."""

from __future__ import annotations

import logging
import tempfile
import traceback
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .context import Interrupted, RunContext
from .keys import version_id
from .kinds import kind_get
from .models import ChangelogEntry, ReportRun, ReportVersion, RunStatus, VersionFile
from .sources import DatabaseSource
from .storage import delete_stored, md5_of, store

log = logging.getLogger(__name__)


class _Progress:
    """The run's log and its kill/timeout check, which also beats the heart the orphan sweep listens to."""

    def __init__(self, run: ReportRun):
        self.run = run
        self.lines: list[str] = []
        self.deadline = run.started_at + timedelta(seconds=run.timeout)
        self.last_beat = run.started_at
        self.beat_every = timedelta(seconds=settings.CROWD_REPORT_HEARTBEAT)

    def log(self, line: str) -> None:
        self.lines.append(line)

    def flush(self, **fields) -> None:
        ReportRun.objects.filter(pk=self.run.pk).update(output="\n".join(self.lines), **fields)

    def check(self) -> None:
        now = timezone.now()
        if now >= self.deadline:
            raise Interrupted(f"timed out after {self.run.timeout} s")
        if now - self.last_beat >= self.beat_every:
            self.last_beat = now
            self.flush(heartbeat_at=now)
            if ReportRun.objects.filter(pk=self.run.pk, kill_requested=True).exists():
                raise Interrupted("killed")


def _start(run_id: int) -> ReportRun | None:
    """Queued → running, once: a second delivery of the same message finds it running and does nothing."""
    now = timezone.now()
    with transaction.atomic():
        run = (
            ReportRun.objects.select_for_update()
            .select_related("report", "requested_by")
            .filter(pk=run_id)
            .first()
        )
        if run is None or run.status != RunStatus.QUEUED:
            return None
        if run.kill_requested:
            run.status, run.finished_at = RunStatus.INTERRUPTED, now
            run.output = "[ killed ] before it started"
            run.save(update_fields=["status", "finished_at", "output"])
            return None
        run.status, run.started_at, run.heartbeat_at = RunStatus.RUNNING, now, now
        run.save(update_fields=["status", "started_at", "heartbeat_at"])
    return run


def _finish(run: ReportRun, progress: _Progress, status: str, **fields) -> None:
    progress.flush(status=status, finished_at=timezone.now(), **fields)


def save_version(
    *, report, context: RunContext, parameters: dict, changelog: list, requester: str, author: str, when=None
) -> ReportVersion:
    """Store the files of ``context`` and write the version that lists them, all or nothing."""
    when = when or timezone.now()
    version = ReportVersion(
        id=version_id(when),
        report=report,
        date=when,
        display_name=report.display_name,
        description=report.description,
        parameter_values=parameters,
        data_info=context.data_info,
        requester=requester,
        author=author,
    )
    stored, files, done = [], [], {}
    try:
        for output in context.outputs:
            # A file listed twice (the data set that is also an artefact) is stored and hashed once.
            if output.path not in done:
                name = store(output.path, f"reports/{report.name}/{version.id}/{output.role}/{output.name}")
                stored.append(name)
                done[output.path] = (name, output.path.stat().st_size, md5_of(output.path))
            name, size, md5 = done[output.path]
            files.append(
                VersionFile(
                    version=version,
                    role=output.role,
                    name=output.name,
                    format=output.format,
                    description=output.description,
                    size=size,
                    md5=md5,
                    file=name,
                )
            )
        with transaction.atomic():
            version.save(force_insert=True)
            VersionFile.objects.bulk_create(files)
            ChangelogEntry.objects.bulk_create(
                ChangelogEntry(version=version, label=item["label"], value=item["value"])
                for item in changelog
            )
    except BaseException:
        delete_stored(stored)
        raise
    return version


def report_run_execute(run_id: int) -> str | None:
    """Run the queued run ``run_id``; returns its final status (None if it was not queued)."""
    run = _start(run_id)
    if run is None:
        return None
    progress = _Progress(run)
    report = run.report
    progress.log(f"[ name ] {report.name}")
    progress.log(f"[ kind ] {report.kind}")
    progress.log(f"[ start ] {run.started_at:%Y-%m-%d %H:%M:%S}")
    try:
        kind = kind_get(report.kind)
        with tempfile.TemporaryDirectory(prefix="report-") as scratch:
            context = RunContext(
                params=run.parameters,
                source=DatabaseSource(scope=report.scope, scope_id=report.scope_id),
                workdir=Path(scratch),
                log=progress.log,
                check=progress.check,
            )
            kind.execute(context)
            progress.check()
            version = save_version(
                report=report,
                context=context,
                parameters=run.parameters,
                changelog=run.changelog,
                requester=run.requested_by.get_full_name() or run.requested_by.username,
                author=run.requested_by.username,
            )
        for output in context.outputs:
            progress.log(f"[ {output.role} ] {output.name}")
        progress.log(f"[ end ] {timezone.now():%Y-%m-%d %H:%M:%S}")
        progress.log(f"id:{version.id}")
        _finish(run, progress, RunStatus.SUCCESS, version=version)
        return RunStatus.SUCCESS
    except Interrupted as stopped:
        progress.log(f"[ interrupted ] {stopped}")
        _finish(run, progress, RunStatus.INTERRUPTED)
        return RunStatus.INTERRUPTED
    except Exception:
        progress.lines.extend(["[ error ]", *traceback.format_exc().splitlines()])
        log.exception("report run %s failed", run.key)
        _finish(run, progress, RunStatus.ERROR)
        return RunStatus.ERROR
