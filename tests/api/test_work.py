from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from campaigns.models import CampaignState
from results.api.serializers import WorkAssignmentOutputSerializer
from results.models import Assignment, AssignmentState
from tests.api.envelope import body, error
from tests.conftest import token_client
from tests.factories import CampaignFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_available_campaigns_show_the_tasks_left_for_the_worker(active_campaign, worker, worker_client):
    CampaignFactory(state=CampaignState.PAUSED)
    CampaignFactory(state=CampaignState.UNPUBLISHED)
    data = body(worker_client.get("/api/v1/work/campaigns/"))
    assert [(c["id"], c["available_tasks"]) for c in data["results"]] == [(active_campaign.pk, 3)]
    worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/")
    data = body(worker_client.get("/api/v1/work/campaigns"))
    assert data["results"][0]["available_tasks"] == 2


def test_the_per_worker_cap_bounds_the_available_count(active_campaign, worker_client):
    active_campaign.max_results_per_worker = 1
    active_campaign.save()
    assert body(worker_client.get("/api/v1/work/campaigns/"))["results"][0]["available_tasks"] == 1
    worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/")
    assert body(worker_client.get("/api/v1/work/campaigns/"))["results"][0]["available_tasks"] == 0


def test_claim_then_submit(active_campaign, worker, worker_client):
    # when a worker claims
    response = worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/")
    # then they get the first task with its input
    assert response.status_code == 201
    claimed = body(response)
    first = active_campaign.tasks.order_by("position").first()
    assert claimed["task"] == {"id": first.pk, "position": first.position, "input": first.input}
    assert (claimed["state"], claimed["campaign"]) == ("accepted", active_campaign.pk)
    # when they submit
    response = worker_client.post(
        f"/api/v1/work/assignments/{claimed['id']}/submit/", {"answers": {"label": ["a", "b"]}}, format="json"
    )
    # then the assignment is submitted with the answers
    assert response.status_code == 200
    submitted = body(response)
    assert (submitted["state"], submitted["answers"]) == ("submitted", {"label": ["a", "b"]})
    assert Assignment.objects.get(pk=claimed["id"]).state == AssignmentState.SUBMITTED


def test_claim_when_nothing_is_left_is_a_409(project, worker_client):
    campaign = CampaignFactory(project=project, state=CampaignState.ACTIVE)
    response = worker_client.post(f"/api/v1/work/campaigns/{campaign.pk}/claim/")
    assert response.status_code == 409
    assert error(response)["code"] == "no-task-available"


def test_claiming_from_a_paused_campaign_is_a_409_and_assigns_nothing(project, worker_client):
    campaign = CampaignFactory(project=project, state=CampaignState.PAUSED)
    TaskFactory(campaign=campaign)
    response = worker_client.post(f"/api/v1/work/campaigns/{campaign.pk}/claim/")
    assert response.status_code == 409
    assert error(response)["code"] == "campaign-not-active"
    assert Assignment.objects.count() == 0


def test_claiming_from_an_unpublished_campaign_is_a_404(campaign, worker_client):
    TaskFactory(campaign=campaign)
    response = worker_client.post(f"/api/v1/work/campaigns/{campaign.pk}/claim/")
    assert response.status_code == 404
    assert Assignment.objects.count() == 0


def test_submitting_an_expired_assignment_is_a_409_and_keeps_it_unanswered(
    active_campaign, worker, worker_client
):
    claimed = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    Assignment.objects.filter(pk=claimed["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = worker_client.post(
        f"/api/v1/work/assignments/{claimed['id']}/submit/", {"answers": {"label": "late"}}, format="json"
    )
    assert response.status_code == 409
    assert error(response)["code"] == "assignment-expired"
    assignment = Assignment.objects.get(pk=claimed["id"])
    assert (assignment.state, assignment.answers, assignment.submitted_at) == ("accepted", {}, None)


def test_submitting_someone_elses_assignment_is_a_404_and_changes_nothing(active_campaign, worker_client):
    other = token_client(UserFactory())
    claimed = body(other.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    for action in ("submit", "skip", "return"):
        response = worker_client.post(
            f"/api/v1/work/assignments/{claimed['id']}/{action}/", {"answers": {"label": "x"}}, format="json"
        )
        assert response.status_code == 404
        assert error(response)["code"] == "assignment-not-found"
    assert worker_client.get(f"/api/v1/work/assignments/{claimed['id']}/").status_code == 404
    assignment = Assignment.objects.get(pk=claimed["id"])
    assert (assignment.state, assignment.answers) == ("accepted", {})


def test_answers_of_the_wrong_type_are_a_400(active_campaign, worker_client):
    claimed = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    response = worker_client.post(
        f"/api/v1/work/assignments/{claimed['id']}/submit/", {"answers": ["x"]}, format="json"
    )
    assert response.status_code == 400
    assert error(response) == {
        "code": "invalid-type",
        "message": "answers must be a JSON object of field names to values.",
        "field": "answers",
    }
    assert Assignment.objects.get(pk=claimed["id"]).state == "accepted"


def test_a_second_submit_is_a_409(active_campaign, worker_client):
    claimed = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    url = f"/api/v1/work/assignments/{claimed['id']}/submit/"
    assert worker_client.post(url, {"answers": {"label": "a"}}, format="json").status_code == 200
    response = worker_client.post(url, {"answers": {"label": "b"}}, format="json")
    assert response.status_code == 409
    assert error(response)["code"] == "already-submitted"
    assert Assignment.objects.get(pk=claimed["id"]).answers == {"label": "a"}


def test_skip_and_return(active_campaign, worker_client):
    first = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    response = worker_client.post(f"/api/v1/work/assignments/{first['id']}/skip")
    assert (response.status_code, body(response)["state"]) == (200, "skipped")
    second = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    assert second["task"]["id"] != first["task"]["id"]
    response = worker_client.post(f"/api/v1/work/assignments/{second['id']}/return/")
    assert (response.status_code, body(response)["state"]) == (200, "returned")
    response = worker_client.post(f"/api/v1/work/assignments/{second['id']}/return/")
    assert response.status_code == 409
    assert error(response)["code"] == "assignment-not-open"


def test_my_assignments_filtered_by_state(active_campaign, worker_client):
    a = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    worker_client.post(
        f"/api/v1/work/assignments/{a['id']}/submit/", {"answers": {"label": "x"}}, format="json"
    )
    b = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    everything = body(worker_client.get("/api/v1/work/assignments/"))
    assert [x["id"] for x in everything["results"]] == [b["id"], a["id"]]
    accepted = body(worker_client.get("/api/v1/work/assignments/?state=accepted"))
    assert [x["id"] for x in accepted["results"]] == [b["id"]]


def test_a_restricted_campaign_is_invisible_to_workers_not_on_its_list(project, worker, worker_client):
    # given an active campaign open only to one other worker
    campaign = CampaignFactory(project=project, state=CampaignState.ACTIVE, restricted=True)
    TaskFactory(campaign=campaign)
    campaign.worker_users.add(UserFactory())
    # then it is neither listed nor claimable for this worker
    assert body(worker_client.get("/api/v1/work/campaigns/"))["count"] == 0
    response = worker_client.post(f"/api/v1/work/campaigns/{campaign.pk}/claim/")
    assert response.status_code == 404
    assert Assignment.objects.count() == 0
    # and a listed worker may claim it
    campaign.worker_users.add(worker)
    assert worker_client.post(f"/api/v1/work/campaigns/{campaign.pk}/claim/").status_code == 201


def test_answers_holding_a_nul_character_are_a_400_and_change_nothing(active_campaign, worker_client):
    claimed = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    response = worker_client.post(
        f"/api/v1/work/assignments/{claimed['id']}/submit/",
        {"answers": {"label": "cat", "tags": ["ok", "bad\x00"]}},
        format="json",
    )
    assert response.status_code == 400
    assert error(response) == {
        "code": "nul-character",
        "message": "Answer 'tags' holds a NUL character.",
        "field": "answers.tags",
    }
    assignment = Assignment.objects.get(pk=claimed["id"])
    assert (assignment.state, assignment.answers) == ("accepted", {})


@pytest.mark.parametrize(
    "state, extra",
    [
        (AssignmentState.ACCEPTED, {}),
        (AssignmentState.SUBMITTED, {"answers": {"label": "yes", "tags": ["a", "b"]}, "submitted": True}),
        (AssignmentState.SOFT_REJECTED, {"feedback": "Look again at **row 3**.", "redo": True}),
        (AssignmentState.RETURNED, {"closed": True}),
    ],
)
def test_the_worker_assignment_renders_as_its_declared_fields_do(active_campaign, worker, state, extra):
    # given an assignment with every optional value set or unset
    now = timezone.now().replace(microsecond=123456)
    assignment = Assignment.objects.create(
        task=active_campaign.tasks.first(),
        worker=worker,
        campaign=active_campaign,
        state=state,
        answers=extra.get("answers", {}),
        accepted_at=now,
        expires_at=now + timedelta(hours=1),
        submitted_at=now if extra.get("submitted") else None,
        closed_at=now if extra.get("closed") else None,
        feedback=extra.get("feedback", ""),
        redo_until=now + timedelta(days=1) if extra.get("redo") else None,
    )
    assignment = Assignment.objects.select_related("task", "campaign").get(pk=assignment.pk)
    serializer = WorkAssignmentOutputSerializer(assignment)
    # when it is rendered by the serializer's own writer
    fast = serializer.data
    # then it is exactly what DRF makes of the declared fields
    assert fast == serializers.Serializer.to_representation(serializer, assignment)
    assert list(fast) == list(WorkAssignmentOutputSerializer().fields)
