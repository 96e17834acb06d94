"""How many tasks a worker is offered is counted up to a cap, so a huge campaign costs the same to list."""

import pytest

from campaigns.models import CampaignState
from results.claim import assignment_claim_next
from results.services import assignment_skip
from tasks import selectors
from tasks.selectors import available_task_counts
from tests.factories import CampaignFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_tasks():
    campaign = CampaignFactory(state=CampaignState.ACTIVE, results_per_task=1)
    for _ in range(5):
        TaskFactory(campaign=campaign)
    return campaign


def test_counts_leave_out_tasks_the_worker_had_and_full_ones_but_keep_skipped_ones(five_tasks, worker):
    # given the first task filled by another worker, the second skipped by the worker, the third held by them
    assignment_claim_next(campaign_id=five_tasks.pk, worker=UserFactory())
    skipped = assignment_claim_next(campaign_id=five_tasks.pk, worker=worker)
    assignment_skip(assignment_id=skipped.pk, worker=worker)
    assignment_claim_next(campaign_id=five_tasks.pk, worker=worker)
    # when the counts are read for the worker and for an anonymous visitor
    mine = available_task_counts(worker, [five_tasks.pk])
    anyone = available_task_counts(None, [five_tasks.pk])
    # then the worker is offered the skipped one and the last two; a visitor the three with room
    assert (mine, anyone) == ({five_tasks.pk: 3}, {five_tasks.pk: 3})


def test_counts_stop_at_the_cap_on_the_api_and_the_worker_page(
    five_tasks, worker, worker_client, monkeypatch
):
    # given a cap lower than the number of tasks on offer
    monkeypatch.setattr(selectors, "AVAILABLE_COUNT_CAP", 4)
    # when the worker lists campaigns through the API and reads the counts of the home page
    listed = worker_client.get("/api/v1/work/campaigns/").json()["data"]["results"]
    counted = available_task_counts(worker, [five_tasks.pk])
    # then both say four
    assert [(c["id"], c["available_tasks"]) for c in listed] == [(five_tasks.pk, 4)]
    assert counted == {five_tasks.pk: 4}


def test_the_worker_page_says_more_when_the_count_reaches_the_cap(five_tasks, worker, client, monkeypatch):
    # given a cap lower than the number of tasks on offer
    monkeypatch.setattr(selectors, "AVAILABLE_COUNT_CAP", 4)
    monkeypatch.setattr("worker.views.AVAILABLE_COUNT_CAP", 4)
    client.force_login(worker)
    # when the worker opens the home page
    page = client.get("/worker/").content.decode()
    # then the campaign shows the cap with a plus
    assert "4+ tasks available" in page
