from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounts.models import LedgerEntry, PermissionGrant, PermissionName
from results.decisions import assignment_approve
from results.models import Assignment, AssignmentState
from results.services import assignments_expire_redo_due
from tasks.models import Task
from tests.api.envelope import body, seed_item
from tests.conftest import token_client
from tests.factories import RequesterFactory, UserFactory
from tests.money.invariants import assert_money_invariants, balances
from tests.money.scenario import campaign_with_tasks, fund, submit_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    requester = RequesterFactory()
    fund(requester, "50")
    campaign = campaign_with_tasks(requester=requester, tasks=3)
    return requester, token_client(requester), campaign


def test_approve_pays_and_returns_the_result(setup):
    requester, client, campaign = setup
    result = submit_one(campaign)
    response = client.post(f"/api/v1/assignments/{result.pk}/approve/", format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["id"], data["state"], data["reviewer"]) == (result.pk, "approved", requester.pk)
    assert balances(result.worker) == (D("1.00"), D("0"))
    assert_money_invariants()


def test_approve_with_feedback_keeps_it_for_the_worker(setup):
    # given a result in review
    _, client, campaign = setup
    result = submit_one(campaign)
    # when the requester approves it with a word for the worker
    response = client.post(
        f"/api/v1/assignments/{result.pk}/approve/", {"feedback": "Thorough, **thanks**."}, format="json"
    )
    # then it is paid and the worker's feedback is kept
    assert response.status_code == 200 and response.json()["data"]["state"] == "approved"
    assert Assignment.objects.get(pk=result.pk).feedback == "Thorough, **thanks**."
    assert_money_invariants()


def test_reject_needs_a_reason_and_stores_it_as_feedback(setup):
    _, client, campaign = setup
    result = submit_one(campaign)
    response = client.post(f"/api/v1/assignments/{result.pk}/reject", {}, format="json")
    assert response.status_code == 400
    assert [seed_item(i) for i in response.json()["errors"]] == [
        {"code": "reason-required", "message": "A reason is required.", "field": "reason"}
    ]
    assert Assignment.objects.get(pk=result.pk).state == AssignmentState.SUBMITTED
    response = client.post(f"/api/v1/assignments/{result.pk}/reject/", {"reason": "Wrong box"}, format="json")
    assert response.status_code == 200
    assert (response.json()["data"]["state"], response.json()["data"]["feedback"]) == (
        "rejected",
        "Wrong box",
    )
    assert Task.objects.get(pk=result.task_id).is_open is True
    assert_money_invariants()


def test_soft_reject_sets_the_redo_deadline(setup):
    _, client, campaign = setup
    result = submit_one(campaign)
    until = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    response = client.post(
        f"/api/v1/assignments/{result.pk}/soft-reject/",
        {"reason": "Please **redo**", "until": until.isoformat()},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["state"], data["feedback"]) == ("soft_rejected", "Please **redo**")
    assert Assignment.objects.get(pk=result.pk).redo_until == until


def test_reject_after_the_review_window_is_a_conflict(setup):
    _, client, campaign = setup
    result = submit_one(campaign)
    Assignment.objects.filter(pk=result.pk).update(review_due_at=timezone.now() - timedelta(seconds=1))
    response = client.post(f"/api/v1/assignments/{result.pk}/reject/", {"reason": "late"}, format="json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "review-window-closed"
    assert Assignment.objects.get(pk=result.pk).state == AssignmentState.SUBMITTED


def test_quality_is_0_to_100(setup):
    _, client, campaign = setup
    result = submit_one(campaign)
    assert (
        client.post(f"/api/v1/assignments/{result.pk}/quality/", {"quality": 101}, format="json").status_code
        == 400
    )
    response = client.post(f"/api/v1/assignments/{result.pk}/quality/", {"quality": 87}, format="json")
    assert response.status_code == 200 and response.json()["data"]["quality"] == 87


def test_overturn_turns_a_rejection_into_a_paid_approval(setup):
    _, client, campaign = setup
    result = submit_one(campaign)
    client.post(f"/api/v1/assignments/{result.pk}/reject/", {"reason": "no"}, format="json")
    response = client.post(f"/api/v1/assignments/{result.pk}/overturn/", format="json")
    assert response.status_code == 200 and response.json()["data"]["state"] == "approved"
    assert balances(result.worker) == (D("1.00"), D("0"))
    assert_money_invariants()


def test_an_invisible_result_is_404_and_a_readable_one_without_review_right_is_403(setup):
    _, _, campaign = setup
    result = submit_one(campaign)
    stranger = token_client(RequesterFactory())
    response = stranger.post(f"/api/v1/assignments/{result.pk}/approve/", format="json")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "result-not-found"
    reader = RequesterFactory()
    PermissionGrant.objects.create(
        user=reader, name=PermissionName.PROJECTS_READ, scope="campaign", scope_id=campaign.pk
    )
    response = token_client(reader).post(f"/api/v1/assignments/{result.pk}/approve/", format="json")
    assert response.status_code == 403
    reviewer = RequesterFactory()
    PermissionGrant.objects.create(
        user=reviewer, name=PermissionName.RESULTS_REVIEW, scope="campaign", scope_id=campaign.pk
    )
    assert Assignment.objects.get(pk=result.pk).state == AssignmentState.SUBMITTED
    response = token_client(reviewer).post(f"/api/v1/assignments/{result.pk}/approve/", format="json")
    assert response.status_code == 200


def test_approve_all_of_a_campaign_and_of_one_worker(setup):
    _, client, campaign = setup
    first, second = UserFactory(), UserFactory()
    mine = submit_one(campaign, first)
    other = submit_one(campaign, second)
    response = client.post(
        f"/api/v1/campaigns/{campaign.pk}/approve-all/", {"worker": first.pk}, format="json"
    )
    assert (response.status_code, response.json()["data"]) == (200, {"approved": 1})
    assert Assignment.objects.get(pk=mine.pk).state == AssignmentState.APPROVED
    assert Assignment.objects.get(pk=other.pk).state == AssignmentState.SUBMITTED
    response = client.post(f"/api/v1/campaigns/{campaign.pk}/approve-all/", format="json")
    assert response.json()["data"] == {"approved": 1}
    response = client.post(f"/api/v1/campaigns/{campaign.pk}/approve-all/", format="json")
    assert response.json()["data"] == {"approved": 0}
    assert LedgerEntry.objects.filter(kind="payment").count() == 2
    assert_money_invariants()


def test_worker_standing_me_and_global(setup, django_assert_max_num_queries):
    requester, client, campaign = setup
    worker = UserFactory()
    approved = submit_one(campaign, worker)
    client.post(f"/api/v1/assignments/{approved.pk}/approve/", format="json")
    rejected = submit_one(campaign, worker)
    client.post(f"/api/v1/assignments/{rejected.pk}/reject/", {"reason": "no"}, format="json")
    submit_one(campaign, worker)
    # elsewhere, for another requester, the worker has one rejection
    elsewhere_owner = RequesterFactory()
    fund(elsewhere_owner, "10")
    elsewhere = campaign_with_tasks(requester=elsewhere_owner, tasks=1)
    result = submit_one(elsewhere, worker)
    token_client(elsewhere_owner).post(
        f"/api/v1/assignments/{result.pk}/reject/", {"reason": "no"}, format="json"
    )
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/workers/")
    assert response.status_code == 200
    assert response.json()["data"]["results"] == [
        {
            "id": worker.pk,
            "username": worker.username,
            "reputation": {"me": 50.0, "global": 33.33},
            "experience": {"me": 2, "global": 3},
        }
    ]
    response = client.get(f"/api/v1/campaigns/{campaign.pk}/workers/?in_review=true")
    assert response.json()["data"]["results"][0]["results"] == {"in_review": 1, "approved": 1, "rejected": 1}


def test_a_soft_reject_does_no_reputation_damage_before_or_after_its_redo_window_closes():
    # given a worker with one approved result here and one elsewhere, and a third result here in review
    requester = RequesterFactory()
    fund(requester, "50")
    client = token_client(requester)
    campaign = campaign_with_tasks(requester=requester, tasks=5)
    worker, colleague = UserFactory(), UserFactory()
    client.post(f"/api/v1/assignments/{submit_one(campaign, worker).pk}/approve/", format="json")
    elsewhere_owner = RequesterFactory()
    fund(elsewhere_owner, "10")
    elsewhere = campaign_with_tasks(requester=elsewhere_owner, tasks=1)
    assignment_approve(assignment_id=submit_one(elsewhere, worker).pk, reviewer=elsewhere_owner)
    in_review = submit_one(campaign, worker)
    # and a colleague with one approved and one (hard) rejected result, to show rejections do count
    client.post(f"/api/v1/assignments/{submit_one(campaign, colleague).pk}/approve/", format="json")
    client.post(
        f"/api/v1/assignments/{submit_one(campaign, colleague).pk}/reject/", {"reason": "no"}, format="json"
    )
    expected = [
        {
            "id": worker.pk,
            "username": worker.username,
            "reputation": {"me": 100.0, "global": 100.0},
            "experience": {"me": 1, "global": 2},
        },
        {
            "id": colleague.pk,
            "username": colleague.username,
            "reputation": {"me": 50.0, "global": 50.0},
            "experience": {"me": 2, "global": 2},
        },
    ]
    assert body(client.get("/api/v1/workers/"))["results"] == expected
    # when the requester soft-rejects the result in review
    until = timezone.now() + timedelta(hours=1)
    response = client.post(
        f"/api/v1/assignments/{in_review.pk}/soft-reject/",
        {"reason": "Please redo", "until": until.isoformat()},
        format="json",
    )
    assert (response.status_code, response.json()["data"]["state"]) == (200, "soft_rejected")
    # then the worker's reputation and experience, here and overall, are unchanged
    assert body(client.get("/api/v1/workers/"))["results"] == expected
    # when the redo window closes without a new submission
    assert assignments_expire_redo_due(now=until + timedelta(seconds=1)) == 1
    # then the result has expired, unpaid, and still counts neither for nor against the worker
    assert Assignment.objects.get(pk=in_review.pk).state == AssignmentState.EXPIRED
    assert body(client.get("/api/v1/workers/"))["results"] == expected
    assert balances(worker) == (D("2.00"), D("0"))
    assert_money_invariants()


@pytest.mark.parametrize(
    ("quality", "status", "error"),
    [
        (-1, 400, {"code": "min-value", "message": "Ensure this value is greater than or equal to 0."}),
        (0, 200, None),
        (100, 200, None),
        (101, 400, {"code": "max-value", "message": "Ensure this value is less than or equal to 100."}),
    ],
)
def test_quality_bounds_are_0_and_100_inclusive(setup, quality, status, error):
    # given a result in review with a quality already set
    _, client, campaign = setup
    result = submit_one(campaign)
    Assignment.objects.filter(pk=result.pk).update(quality=50)
    # when the requester sets the quality
    response = client.post(f"/api/v1/assignments/{result.pk}/quality/", {"quality": quality}, format="json")
    # then the bounds are accepted and what is outside refused with a code, the stored quality unchanged
    assert response.status_code == status
    if error is None:
        assert body(response)["quality"] == quality
        assert Assignment.objects.get(pk=result.pk).quality == quality
    else:
        assert [seed_item(i) for i in response.json()["errors"]] == [{**error, "field": "quality"}]
        assert Assignment.objects.get(pk=result.pk).quality == 50
