"""Report runs through a real Celery worker on Redis: one ends in success; one whose worker process dies
is found by the sweep and ends orphan."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from crowdplatform.celery import app as project_app
from reports.kinds import KINDS, register
from reports.models import ReportRun, RunStatus
from reports.services import report_create, report_runs_sweep

from .conftest import synthetic_campaign
from .slow_kind import SLOW

REDIS_URL = os.environ.get("CROWD_TEST_REDIS_URL")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="needs Redis (set CROWD_TEST_REDIS_URL)"),
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _app(queue: str) -> Celery:
    app = Celery("crowdplatform", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=REDIS_URL,
        broker_transport_options={},
        task_always_eager=False,
        task_default_queue=queue,
        broker_connection_retry_on_startup=False,
    )
    app.autodiscover_tasks()
    app.finalize()
    return app


def _wait_for(run, statuses, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in statuses:
            return run
        time.sleep(0.2)
    return run


def _queued(report, **params):
    return ReportRun.objects.create(
        key=f"swift_{uuid.uuid4().hex[:8]}x".replace("0", "a").replace("1", "b")[:30],
        report=report,
        parameters=params,
        timeout=600,
        requested_by=report.owner,
    )


def test_a_worker_on_redis_runs_a_report_to_success():
    # given a queued aggregate run and a worker listening on Redis
    campaign, _, _ = synthetic_campaign(tasks=10)
    report = report_create(
        user=campaign.project.owner, name="labels", kind="aggregate", scope="campaign", scope_id=campaign.pk
    )
    run = _queued(report, **KINDS["aggregate"].parameters({}))
    app = _app(f"test-reports-{uuid.uuid4().hex}")
    try:
        # when the message goes through Redis
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            app.send_task("reports.tasks.run_report", args=[run.pk])
            _wait_for(run, {RunStatus.SUCCESS, RunStatus.ERROR})
    finally:
        app.close()
        project_app.set_current()

    # then the worker ran it to a version
    assert run.status == RunStatus.SUCCESS, run.output
    assert run.version is not None and run.version.files.filter(role="artefact").count() == 1


def test_a_run_whose_worker_dies_ends_orphan_after_the_sweep(settings):
    # given a slow run taken by a worker process
    register(SLOW)
    try:
        campaign, _, _ = synthetic_campaign(tasks=2)
        report = report_create(
            user=campaign.project.owner, name="waits", kind="slow", scope="campaign", scope_id=campaign.pk
        )
    finally:
        KINDS.pop("slow")
    run = _queued(report, seconds=60)
    queue = f"test-reports-{uuid.uuid4().hex}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.reports.worker_settings",
        "CROWD_TEST_QUEUE": queue,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "PYTHONPATH": str(ROOT),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crowdplatform",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    app = _app(queue)
    try:
        app.send_task("reports.tasks.run_report", args=[run.pk])
        _wait_for(run, {RunStatus.RUNNING}, seconds=60)
        assert run.status == RunStatus.RUNNING, (
            worker.stderr.read1().decode() if worker.poll() is not None else run.output
        )
        # when the worker process is killed outright
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        app.close()
        project_app.set_current()

    # then the run stays "running" until the sweep sees its heart has stopped
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    settings.CROWD_REPORT_ORPHAN_AFTER = 30
    assert report_runs_sweep(now=timezone.now())["orphan"] == 0
    swept = report_runs_sweep(now=timezone.now() + timedelta(seconds=31))
    run.refresh_from_db()
    assert swept["orphan"] == 1 and run.status == RunStatus.ORPHAN
