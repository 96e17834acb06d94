"""Many workers claiming and submitting at once never overfill a task nor give a worker a task twice."""

import threading
import time

import pytest
from django.db import connection
from django.db.models import Count

from campaigns.models import CampaignState
from crowdplatform.errors import Conflict
from results.claim import assignment_claim_next
from results.models import Assignment, AssignmentState
from results.services import assignment_submit
from tasks.models import Task
from tests.concurrency import at_once, failures
from tests.factories import CampaignFactory, UserFactory

WORKERS = 20
TASKS = 200
RESULTS_PER_TASK = 3


def _work(campaign, worker, errors):
    try:
        while True:
            try:
                assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
            except Conflict as exc:
                assert exc.code == "no-task-available", exc.code
                # SKIP LOCKED may hide tasks that other threads hold for a moment: stop only when no task
                # that could still take this worker's result is left.
                left = (
                    Task.objects.filter(campaign=campaign, is_open=True)
                    .exclude(assignments__worker=worker)
                    .exists()
                )
                if not left:
                    return
                time.sleep(0.01)
                continue
            assignment_submit(assignment_id=assignment.pk, worker=worker, answers={"label": worker.username})
    except Exception as exc:  # noqa: BLE001 - reported to the main thread
        errors.append(exc)
    finally:
        connection.close()


def _active_campaign(tasks: int):
    """An active campaign of ``tasks`` tasks needing RESULTS_PER_TASK results each."""
    campaign = CampaignFactory(state=CampaignState.ACTIVE, results_per_task=RESULTS_PER_TASK)
    Task.objects.bulk_create(
        Task(campaign=campaign, position=i, input={"text": str(i)}, results_needed=RESULTS_PER_TASK)
        for i in range(tasks)
    )
    return campaign


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("claim_path")
def test_twenty_workers_fill_a_campaign_exactly():
    # given a campaign of 200 tasks needing 3 results each, and 20 workers
    campaign = _active_campaign(TASKS)
    workers = [UserFactory() for _ in range(WORKERS)]
    errors: list[Exception] = []
    # when they all claim and submit in parallel until nothing is left
    threads = [threading.Thread(target=_work, args=(campaign, w, errors)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    # then every slot is filled exactly once
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    assignments = Assignment.objects.filter(campaign=campaign)
    assert assignments.filter(state=AssignmentState.SUBMITTED).count() == TASKS * RESULTS_PER_TASK
    assert assignments.count() == TASKS * RESULTS_PER_TASK
    per_task = assignments.values("task").annotate(n=Count("id")).values_list("n", flat=True)
    assert max(per_task) == RESULTS_PER_TASK
    pairs = assignments.values("task", "worker").annotate(n=Count("id")).filter(n__gt=1)
    assert not pairs.exists()
    assert len({a.worker_id for a in assignments}) > 1
    assert not Task.objects.filter(campaign=campaign, is_open=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("claim_path")
def test_one_worker_claiming_in_many_requests_at_once_gets_distinct_tasks():
    # given a campaign of 6 tasks needing 3 results each, and one worker
    campaign = _active_campaign(6)
    worker = UserFactory()

    def claim():
        return assignment_claim_next(campaign_id=campaign.pk, worker=worker).task_id

    # when ten of their requests claim at the same moment
    outcomes = at_once(*[claim] * 10)
    claimed = [outcome for outcome in outcomes if isinstance(outcome, int)]
    refused = [outcome.code for outcome in outcomes if isinstance(outcome, Conflict)]
    errors = [outcome for outcome in failures(outcomes) if not isinstance(outcome, Conflict)]
    # then no request fails with a database error, six get the six tasks once each, and four are told none is left
    assert errors == []
    tasks = set(Task.objects.filter(campaign=campaign).values_list("pk", flat=True))
    assert (sorted(claimed), refused) == (sorted(tasks), ["no-task-available"] * 4)
    assert Assignment.objects.filter(worker=worker).count() == 6
