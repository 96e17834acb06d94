"""A run's life: queued → running → success with a version whose files match their hashes; or error, or
interrupted (killed, timed out), or orphan (its worker died), and then no version."""

import hashlib
import threading
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from reports.kinds import KINDS, register
from reports.kinds.base import Param, ReportKind
from reports.models import ReportRun, ReportVersion, RunStatus
from reports.runner import report_run_execute
from reports.services import report_create, report_run_kill, report_run_queue, report_runs_sweep

from .conftest import synthetic_campaign

pytestmark = pytest.mark.django_db


def _failing(ctx):
    ctx.log("about to fail")
    raise ValueError("the analysis broke")


def _slow(ctx):
    for _ in range(int(ctx.params["seconds"] * 20)):
        ctx.check()
        time.sleep(0.05)
    ctx.artefact("late.txt", format="report", description="never stored").write_text("late")


@pytest.fixture
def test_kinds():
    register(ReportKind("failing", "Always fails.", _failing))
    register(ReportKind("slow", "Sleeps.", _slow, (Param("seconds", "number", 30),)))
    yield
    KINDS.pop("failing"), KINDS.pop("slow")


@pytest.fixture
def queue_and_run(django_capture_on_commit_callbacks):
    """Queue a run and let the (eager) worker run it, as the commit would."""

    def queue(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return report_run_queue(**kwargs)

    return queue


def _report(kind, owner, campaign, name=None, **params):
    return report_create(
        user=owner,
        name=name or f"{kind}-report",
        kind=kind,
        scope="campaign",
        scope_id=campaign.pk,
        parameters=params,
    )


def test_a_run_goes_queued_running_success_and_its_files_match_their_hashes(
    django_capture_on_commit_callbacks,
):
    # given a campaign with answers and an aggregate report on it
    campaign, truth, _ = synthetic_campaign()
    owner = campaign.project.owner
    report = _report("aggregate", owner, campaign)

    # when a run is queued, it waits in the queue until the transaction commits
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = report_run_queue(user=owner, report=report, changelog={"message": "first", "type": "public"})
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    # and the worker runs it
    for callback in callbacks:
        callback()

    # then it succeeded with a version whose every file matches its md5 and size
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCESS, run.output
    version = run.version
    assert version.report == report and not version.published
    names = {(f.role, f.name) for f in version.files.all()}
    assert {("artefact", "aggregate.csv"), ("data", "aggregate")} <= names
    for item in version.files.all():
        with default_storage.open(item.file.name, "rb") as stored:
            content = stored.read()
        assert hashlib.md5(content).hexdigest() == item.md5 and len(content) == item.size
    assert version.data_info["name"] == "aggregate" and version.data_info["csv_size"] > 0
    assert [(c.label, c.value) for c in version.changelog.all()] == [("public", "first")]
    assert run.output.splitlines()[-1] == f"id:{version.id}"
    assert len(version.id) == 24 and version.id[8] == "-" and version.id[15] == "-"


def test_a_failing_run_ends_error_with_its_traceback_and_no_version(test_kinds, queue_and_run):
    # given a report whose analysis raises
    campaign, _, _ = synthetic_campaign(tasks=3)
    report = _report("failing", campaign.project.owner, campaign)

    # when it runs
    run = queue_and_run(user=campaign.project.owner, report=report)

    # then it ended in error, its output holds the traceback, and no version was written
    run.refresh_from_db()
    assert run.status == RunStatus.ERROR
    assert "Traceback" in run.output and "ValueError: the analysis broke" in run.output
    assert run.version is None and not ReportVersion.objects.exists()


def test_a_run_past_its_timeout_ends_interrupted_with_nothing_stored(test_kinds, queue_and_run):
    # given a slow report and a run allowed one second
    campaign, _, _ = synthetic_campaign(tasks=2)
    report = _report("slow", campaign.project.owner, campaign, seconds=30)

    # when it runs
    started = time.monotonic()
    run = queue_and_run(user=campaign.project.owner, report=report, timeout=1)

    # then it stopped at its first check past the limit and stored nothing
    run.refresh_from_db()
    assert run.status == RunStatus.INTERRUPTED and "timed out" in run.output
    assert time.monotonic() - started < 10
    assert not ReportVersion.objects.exists()


def test_killing_a_queued_run_ends_it_before_it_starts(test_kinds, django_capture_on_commit_callbacks):
    # given a queued run that no worker has taken yet
    campaign, _, _ = synthetic_campaign(tasks=2)
    report = _report("slow", campaign.project.owner, campaign, seconds=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = report_run_queue(user=campaign.project.owner, report=report)

    # when it is killed, and the worker then picks up the message
    report_run_kill(run=run)
    for callback in callbacks:
        callback()

    # then it is interrupted and never ran
    run.refresh_from_db()
    assert run.status == RunStatus.INTERRUPTED and run.started_at is None


@pytest.mark.django_db(transaction=True)
def test_killing_a_running_run_interrupts_it(test_kinds, settings):
    # given a slow run under way in a worker thread
    settings.CROWD_REPORT_HEARTBEAT = 0.1
    campaign, _, _ = synthetic_campaign(tasks=2)
    report = _report("slow", campaign.project.owner, campaign, seconds=30)
    run = ReportRun.objects.create(
        key="brave_otter",
        report=report,
        parameters={"seconds": 30},
        timeout=600,
        requested_by=campaign.project.owner,
    )
    outcome = {}

    def work():
        from django.db import connection

        outcome["status"] = report_run_execute(run.pk)
        connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    deadline = time.monotonic() + 10
    while ReportRun.objects.get(pk=run.pk).status != RunStatus.RUNNING and time.monotonic() < deadline:
        time.sleep(0.05)

    # when it is killed
    report_run_kill(run=run)
    thread.join(timeout=20)

    # then it stopped, interrupted, with nothing stored
    run.refresh_from_db()
    assert outcome["status"] == RunStatus.INTERRUPTED == run.status
    assert "killed" in run.output
    assert not ReportVersion.objects.exists()


def test_the_sweep_marks_a_run_whose_heart_stopped_orphan_and_one_far_past_its_time_interrupted(settings):
    # given two running runs: one whose worker stopped beating, one far past its time limit
    settings.CROWD_REPORT_ORPHAN_AFTER = 60
    campaign, _, _ = synthetic_campaign(tasks=1)
    report = _report("progress", campaign.project.owner, campaign)
    now = timezone.now()
    silent = ReportRun.objects.create(
        key="quiet_owl",
        report=report,
        timeout=3600,
        requested_by=report.owner,
        status=RunStatus.RUNNING,
        started_at=now - timedelta(minutes=10),
        heartbeat_at=now - timedelta(minutes=5),
    )
    late = ReportRun.objects.create(
        key="late_lynx",
        report=report,
        timeout=10,
        requested_by=report.owner,
        status=RunStatus.RUNNING,
        started_at=now - timedelta(minutes=10),
        heartbeat_at=now - timedelta(seconds=5),
    )
    alive = ReportRun.objects.create(
        key="busy_bee",
        report=report,
        timeout=3600,
        requested_by=report.owner,
        status=RunStatus.RUNNING,
        started_at=now - timedelta(minutes=1),
        heartbeat_at=now - timedelta(seconds=5),
    )

    # when the sweep runs (twice: the second changes nothing)
    first = report_runs_sweep(now=now)
    second = report_runs_sweep(now=now)

    # then
    assert first == {"interrupted": 1, "orphan": 1} and second == {"interrupted": 0, "orphan": 0}
    statuses = dict(ReportRun.objects.values_list("key", "status"))
    assert statuses == {"quiet_owl": "orphan", "late_lynx": "interrupted", "busy_bee": "running"}
    del silent, late, alive
