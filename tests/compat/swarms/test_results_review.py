"""Results, workers and review routes of seed 004, with the money they move."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Wallet
from results.models import Assignment, AssignmentState

from .conftest import do_job, swarms_error

SEED_RESULT_KEYS = {"worker", "job", "startedAt", "completedAt", "state", "taskResults", "id", "assignmentId"}


def test_results_of_a_campaign_with_state_since_and_limit(api, make_campaign, worker):
    from tests.factories import UserFactory

    pk = make_campaign()
    first = do_job(pk, worker)
    second = do_job(pk, UserFactory(), answer="No")
    page = api.get(f"/campaigns/{pk}/results").json()
    assert [r["id"] for r in page["results"]] == [first.pk, second.pk]
    result = page["results"][0]
    assert SEED_RESULT_KEYS <= set(result)
    assert (
        result["state"] == "InReview" and result["worker"] == worker.pk and result["assignmentId"] == first.pk
    )
    [task_result] = result["taskResults"]
    assert task_result["task"]["name"] == "Is there a cat?"
    assert task_result["components"] == [
        {
            "data": {"type": "BinaryChoice", "option1": "Yes", "option2": "No"},
            "result": {"selectedOption": "Yes"},
        }
    ]
    api.post(f"/results/{first.pk}/approve")
    assert [
        r["id"] for r in api.get(f"/campaigns/{pk}/results", {"state": "Approved"}).json()["results"]
    ] == [first.pk]
    assert [
        r["id"] for r in api.get(f"/campaigns/{pk}/results", {"state": "InReview"}).json()["results"]
    ] == [second.pk]
    limited = api.get(f"/campaigns/{pk}/results", {"limit": 1}).json()
    assert len(limited["results"]) == 1 and "next" in limited["_links"]
    future = (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert api.get(f"/campaigns/{pk}/results", {"since": future}).json()["results"] == []


def test_approve_pays_the_worker_and_reject_keeps_money_for_a_redo(api, requester, make_campaign, worker):
    from tests.factories import UserFactory

    pk = make_campaign()
    approved, rejected = do_job(pk, worker), do_job(pk, UserFactory())
    response = api.post(f"/results/{approved.pk}/approve", {"message": "Well done!"})
    assert response.status_code == 200 and response.json()["state"] == "Approved"
    assert Wallet.objects.get(user=worker).available == Decimal("0.50")
    # (the approval's message is the worker's feedback, as a rejection's reason is)
    assert Assignment.objects.get(pk=approved.pk).feedback == "Well done!"
    swarms_error(api.post(f"/results/{rejected.pk}/reject"), 400, 1100)  # reason required
    assert Assignment.objects.get(pk=rejected.pk).state == AssignmentState.SUBMITTED
    assert (
        api.post(f"/results/{rejected.pk}/reject", {"reason": "Cheating detected!"}).json()["state"]
        == "Rejected"
    )
    # approving again changes nothing; rejecting an approved result is refused
    swarms_error(api.post(f"/results/{approved.pk}/reject", {"reason": "no"}), 409, 1300)
    # cancel releases what is left
    api.post(f"/campaigns/{pk}/cancel")
    wallet = Wallet.objects.get(user=requester)
    assert wallet.frozen == Decimal("0.00") and wallet.available == Decimal("100.00") - Decimal("0.60")


def test_soft_reject_needs_reason_and_until(api, make_campaign, worker):
    pk = make_campaign()
    result = do_job(pk, worker)
    swarms_error(api.post(f"/results/{result.pk}/soft-reject", {"reason": "More precise"}), 400, 1100)
    swarms_error(
        api.post(f"/results/{result.pk}/soft-reject", {"reason": "x", "until": "tomorrow"}), 400, 1100
    )
    until = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    response = api.post(
        f"/results/{result.pk}/soft-reject", {"reason": "Be more precise, please", "until": until}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "SoftRejected"
    stored = Assignment.objects.get(pk=result.pk)
    assert (
        stored.feedback == "Be more precise, please"
        and stored.redo_until.strftime("%Y-%m-%dT%H:%M:%S") == until
    )


def test_workers_of_a_campaign_with_in_review_filter_and_standing(api, make_campaign, worker):
    from tests.factories import UserFactory

    pk = make_campaign()
    other = UserFactory()
    mine = do_job(pk, worker)
    do_job(pk, other)
    api.post(f"/results/{mine.pk}/approve")
    everyone = api.get(f"/campaigns/{pk}/workers").json()
    assert [w["id"] for w in everyone["workers"]] == sorted([worker.pk, other.pk])
    row = next(w for w in everyone["workers"] if w["id"] == worker.pk)
    assert row == {
        "id": worker.pk,
        "reputation": {"me": 100.0, "global": 100.0},
        "experience": {"me": 1, "global": 1},
        "results": {"inReview": 0, "approved": 1, "rejected": 0},
        "_links": {
            "results": {"href": f"/campaigns/{pk}/workers/{worker.pk}/results"},
            "approveAll": {"href": f"/campaigns/{pk}/workers/{worker.pk}/approve-all"},
        },
    }
    in_review = api.get(f"/campaigns/{pk}/workers", {"InReview": "true"}).json()
    assert [w["id"] for w in in_review["workers"]] == [other.pk]


def test_results_of_one_worker_and_approve_all_for_that_worker(api, make_campaign, worker):
    from tests.factories import UserFactory

    pk = make_campaign()
    mine, theirs = do_job(pk, worker), do_job(pk, UserFactory())
    page = api.get(f"/campaigns/{pk}/workers/{worker.pk}/results").json()
    assert [r["id"] for r in page["results"]] == [mine.pk]
    assert page["worker"]["id"] == worker.pk and page["worker"]["results"]["inReview"] == 1
    response = api.post(f"/campaigns/{pk}/workers/{worker.pk}/approve-all", {"message": "Well done!"})
    assert response.status_code == 200 and response.json() == {"approved": 1}
    assert Assignment.objects.get(pk=mine.pk).state == AssignmentState.APPROVED
    assert Assignment.objects.get(pk=mine.pk).feedback == "Well done!"
    assert Assignment.objects.get(pk=theirs.pk).state == AssignmentState.SUBMITTED


def test_approve_all_of_a_campaign(api, make_campaign, worker):
    from tests.factories import UserFactory

    pk = make_campaign()
    do_job(pk, worker), do_job(pk, UserFactory())
    response = api.post(f"/campaigns/{pk}/results/approve-all")
    assert response.status_code == 200 and response.json() == {"approved": 2}
    assert api.get(f"/campaigns/{pk}/results", {"state": "InReview"}).json()["results"] == []


def test_a_page_of_results_costs_the_same_queries_whatever_its_size(api, make_campaign):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    pk = make_campaign(results=12)
    first = do_job(pk, UserFactory())
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(f"/campaigns/{pk}/results", {"after": first.pk}).json()["results"]) == 0
    for _ in range(10):
        do_job(pk, UserFactory())
    with CaptureQueriesContext(connection) as ten:
        assert len(api.get(f"/campaigns/{pk}/results", {"after": first.pk}).json()["results"]) == 10
    with CaptureQueriesContext(connection) as workers:
        assert len(api.get(f"/campaigns/{pk}/workers", {"limit": 11}).json()["workers"]) == 11
    assert len(ten) == len(one) + 1  # the screens of the page's jobs, once
    assert len(workers) <= len(one) + 1
    assert not any("OFFSET" in q["sql"] for q in [*ten.captured_queries, *workers.captured_queries])
