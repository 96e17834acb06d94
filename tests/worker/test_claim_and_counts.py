"""The engine pieces the worker pages added: claiming a previewed task, availability counts, the peek."""

from datetime import timedelta

import pytest

from accounts.services import guest_user_create
from crowdplatform.errors import Conflict, NotFound
from results.claim import assignment_claim, assignment_claim_next
from results.models import Assignment, AssignmentState
from results.services import assignment_return, assignment_skip, assignment_submit
from tasks.selectors import available_task_counts, task_peek_next
from tests.concurrency import at_once
from tests.factories import CampaignFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_task_claim_gives_the_worker_that_very_task():
    campaign = CampaignFactory(time_allowed_s=600)
    TaskFactory(campaign=campaign)
    wanted = TaskFactory(campaign=campaign)
    worker = UserFactory()
    assignment = assignment_claim(task=wanted, worker=worker)
    assert (assignment.task_id, assignment.worker, assignment.state) == (
        wanted.pk,
        worker,
        AssignmentState.ACCEPTED,
    )
    assert assignment.expires_at - assignment.accepted_at == timedelta(seconds=600)
    wanted.refresh_from_db()
    assert (wanted.is_open, wanted.reopen_at) == (False, assignment.expires_at)


def test_task_claim_revives_a_skipped_task():
    task = TaskFactory()
    worker = UserFactory()
    skipped = assignment_skip(task=task, worker=worker)
    assignment = assignment_claim(task=task, worker=worker)
    assert (assignment.pk, assignment.state) == (skipped.pk, AssignmentState.ACCEPTED)


def test_task_claim_refuses_a_task_the_worker_already_had():
    task = TaskFactory(campaign=CampaignFactory(results_per_task=2))
    worker = UserFactory()
    held = assignment_claim(task=task, worker=worker)
    assignment_return(assignment_id=held.pk, worker=worker)
    with pytest.raises(Conflict) as err:
        assignment_claim(task=task, worker=worker)
    assert err.value.code == "already-assigned"
    assert Assignment.objects.get().state == AssignmentState.RETURNED


def test_task_claim_refuses_a_full_task_and_changes_nothing():
    task = TaskFactory()
    assignment_claim(task=task, worker=UserFactory())
    with pytest.raises(Conflict) as err:
        assignment_claim(task=task, worker=UserFactory())
    assert err.value.code == "task-full"
    assert Assignment.objects.count() == 1


def test_task_claim_respects_who_may_work_on_the_campaign():
    task = TaskFactory(campaign=CampaignFactory(restricted=True))
    with pytest.raises(NotFound):
        assignment_claim(task=task, worker=UserFactory())
    assert Assignment.objects.count() == 0


def test_task_claim_respects_the_cap_per_worker():
    campaign = CampaignFactory(max_results_per_worker=1)
    first, second = TaskFactory(campaign=campaign), TaskFactory(campaign=campaign)
    worker = UserFactory()
    assignment_claim(task=first, worker=worker)
    with pytest.raises(Conflict) as err:
        assignment_claim(task=second, worker=worker)
    assert err.value.code == "worker-cap-reached"


def test_available_task_counts_per_campaign_for_one_worker(django_assert_num_queries):
    # given two campaigns; the worker submitted one task of the first, skipped another, and a full task
    # of the second is held by someone else
    one, two = CampaignFactory(), CampaignFactory()
    tasks_one = [TaskFactory(campaign=one) for _ in range(4)]
    full = TaskFactory(campaign=two)
    TaskFactory(campaign=two)
    worker = UserFactory()
    done = assignment_claim(task=tasks_one[0], worker=worker)
    assignment_submit(assignment_id=done.pk, worker=worker, answers={"label": "x"})
    assignment_skip(task=tasks_one[1], worker=worker)
    assignment_claim(task=full, worker=UserFactory())
    empty = CampaignFactory()
    # when the counts are read for all three campaigns
    with django_assert_num_queries(1):
        counts = available_task_counts(worker, [one.pk, two.pk, empty.pk])
    # then skipped tasks count, done and full ones do not, and an empty campaign is absent
    assert counts == {one.pk: 3, two.pk: 1}


def test_available_task_counts_for_an_anonymous_visitor():
    campaign = CampaignFactory()
    TaskFactory(campaign=campaign)
    assert available_task_counts(None, [campaign.pk]) == {campaign.pk: 1}


def test_peek_shows_what_claim_next_gives_without_claiming():
    campaign = CampaignFactory()
    first, second = TaskFactory(campaign=campaign), TaskFactory(campaign=campaign)
    worker = UserFactory()
    assert task_peek_next(campaign=campaign, worker=worker) == first
    assignment_skip(task=first, worker=worker)
    # a skipped task comes after the others
    assert task_peek_next(campaign=campaign, worker=worker) == second
    assert assignment_claim_next(campaign_id=campaign.pk, worker=worker).task_id == second.pk
    assert task_peek_next(campaign=campaign, worker=worker) == first


def test_guest_users_have_an_anon_name_and_no_password():
    guest = guest_user_create()
    assert guest.username.startswith("anon-") and len(guest.username) == 21
    assert not guest.has_usable_password()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_accepting_the_same_previewed_task_at_once_get_one_slot():
    # given a one-result task previewed by two workers
    task = TaskFactory()
    workers = [UserFactory(), UserFactory()]

    def accept(worker):
        return lambda: assignment_claim(task=task, worker=worker)

    # when both accept at the same moment
    outcomes = at_once(*[accept(w) for w in workers])
    outcomes = ["ok" if isinstance(o, Assignment) else getattr(o, "code", o) for o in outcomes]
    # then exactly one holds it
    assert sorted(outcomes) == ["ok", "task-full"]
    assert Assignment.objects.filter(task=task).count() == 1
