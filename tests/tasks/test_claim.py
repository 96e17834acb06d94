from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import CampaignState
from crowdplatform.errors import Conflict
from results.models import Assignment, AssignmentState
from results.services import assignment_skip, assignment_submit, assignments_expire_due
from tasks.services import task_claim_next
from tests.factories import CampaignFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_claim_gives_tasks_in_order_and_never_the_same_task_twice():
    # given a campaign of two tasks needing two results each
    campaign = CampaignFactory(results_per_task=2)
    first, second = TaskFactory(campaign=campaign), TaskFactory(campaign=campaign)
    worker = UserFactory()
    # when the worker claims twice
    a1 = task_claim_next(campaign=campaign, worker=worker)
    a2 = task_claim_next(campaign=campaign, worker=worker)
    # then they get each task once, in order, and nothing more
    assert (a1.task_id, a2.task_id) == (first.pk, second.pk)
    with pytest.raises(Conflict) as err:
        task_claim_next(campaign=campaign, worker=worker)
    assert err.value.code == "no-task-available"


def test_a_full_task_is_not_offered_until_an_assignment_expires_even_without_a_sweep():
    # given a one-result task held by a worker whose time has run out
    campaign = CampaignFactory(results_per_task=1, time_allowed_s=60)
    task = TaskFactory(campaign=campaign)
    held = task_claim_next(campaign=campaign, worker=UserFactory())
    other = UserFactory()
    with pytest.raises(Conflict):
        task_claim_next(campaign=campaign, worker=other)
    # when time passes beyond the limit (no sweep has run)
    later = held.expires_at + timedelta(seconds=1)
    taken = task_claim_next(campaign=campaign, worker=other, now=later)
    # then the task is offered again
    assert taken.task_id == task.pk
    assert Assignment.objects.get(pk=held.pk).state == AssignmentState.ACCEPTED


def test_skipped_tasks_come_last_for_that_worker():
    campaign = CampaignFactory()
    first, second = TaskFactory(campaign=campaign), TaskFactory(campaign=campaign)
    worker = UserFactory()
    a = task_claim_next(campaign=campaign, worker=worker)
    assignment_skip(assignment_id=a.pk, worker=worker)
    assert task_claim_next(campaign=campaign, worker=worker).task_id == second.pk
    again = task_claim_next(campaign=campaign, worker=worker)
    assert (again.task_id, again.pk, again.state) == (first.pk, a.pk, AssignmentState.ACCEPTED)


def test_claiming_from_a_paused_campaign_is_refused():
    campaign = CampaignFactory(state=CampaignState.PAUSED)
    TaskFactory(campaign=campaign)
    with pytest.raises(Conflict) as err:
        task_claim_next(campaign=campaign, worker=UserFactory())
    assert err.value.code == "campaign-not-active"
    assert Assignment.objects.count() == 0


def test_submit_twice_and_submit_expired_are_refused():
    campaign = CampaignFactory(time_allowed_s=60)
    TaskFactory(campaign=campaign)
    TaskFactory(campaign=campaign)
    worker = UserFactory()
    done = task_claim_next(campaign=campaign, worker=worker)
    assignment_submit(assignment_id=done.pk, worker=worker, answers={"label": "x"})
    with pytest.raises(Conflict) as err:
        assignment_submit(assignment_id=done.pk, worker=worker, answers={"label": "y"})
    assert err.value.code == "already-submitted"
    late = task_claim_next(campaign=campaign, worker=worker)
    with pytest.raises(Conflict) as err:
        assignment_submit(
            assignment_id=late.pk,
            worker=worker,
            answers={"label": "x"},
            now=timezone.now() + timedelta(minutes=2),
        )
    assert err.value.code == "assignment-expired"
    assert Assignment.objects.get(pk=late.pk).answers == {}


def test_expiry_sweep_is_idempotent_and_reopens_the_task():
    campaign = CampaignFactory(time_allowed_s=60)
    task = TaskFactory(campaign=campaign)
    held = task_claim_next(campaign=campaign, worker=UserFactory())
    later = timezone.now() + timedelta(minutes=5)
    assert assignments_expire_due(now=later) == 1
    assert assignments_expire_due(now=later) == 0
    task.refresh_from_db()
    assert Assignment.objects.get(pk=held.pk).state == AssignmentState.EXPIRED
    assert task.is_open is True
