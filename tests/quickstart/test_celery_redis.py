"""The background wiring end to end: a task sent through Redis is consumed by a worker and changes the DB."""

import os
import time
import uuid
from datetime import timedelta

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from crowdplatform.celery import app as project_app
from results.models import Assignment, AssignmentState
from tests.factories import CampaignFactory, TaskFactory, UserFactory

REDIS_URL = os.environ.get("CROWD_TEST_REDIS_URL")

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="needs Redis (set CROWD_TEST_REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def redis_app():
    # Configured exactly as crowdplatform/celery.py does, then pointed at the test Redis on a queue of
    # its own, so that other runs sharing the Redis database never take our messages.
    # Not made the current app: tasks queued elsewhere (``.delay()``) keep going to the project's app, which
    # runs them at once in the tests.
    app = Celery("crowdplatform", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=REDIS_URL,
        broker_transport_options={},
        task_always_eager=False,
        task_default_queue=f"test-sweep-{uuid.uuid4().hex}",
        broker_connection_retry_on_startup=False,
    )
    app.autodiscover_tasks()
    app.finalize()
    yield app
    app.close()
    project_app.set_current()


def test_beat_style_sweep_message_goes_through_redis_and_expires_the_assignment(redis_app):
    # given an assignment whose time ran out and that no sweep has touched
    task = TaskFactory(campaign=CampaignFactory())
    past = timezone.now() - timedelta(minutes=5)
    assignment = Assignment.objects.create(
        task=task,
        campaign=task.campaign,
        worker=UserFactory(),
        state=AssignmentState.ACCEPTED,
        accepted_at=past - timedelta(hours=1),
        expires_at=past,
    )

    # when the sweep is sent by name, as beat sends it, and a worker consumes it
    with start_worker(redis_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        redis_app.send_task("results.tasks.sweep_expire_assignments")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assignment.refresh_from_db()
            if assignment.state == AssignmentState.EXPIRED:
                break
            time.sleep(0.2)

    # then the worker ran it against the database
    assert assignment.state == AssignmentState.EXPIRED
    assert assignment.closed_at is not None
