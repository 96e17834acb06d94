import pytest

from accounts.models import PermissionGrant, PermissionName
from campaigns.lifecycle import ACTIONS
from campaigns.models import Campaign, CampaignState
from tests.api.envelope import body, error
from tests.conftest import token_client
from tests.factories import CampaignFactory, RequesterFactory

pytestmark = pytest.mark.django_db


def test_create_a_campaign_under_a_project_with_its_defaults(project, requester_client):
    project.default_results_per_task = 3
    project.save()
    response = requester_client.post(
        f"/api/v1/projects/{project.pk}/campaigns/", {"name": "Batch 1", "time_allowed_s": 600}, format="json"
    )
    assert response.status_code == 201
    campaign = body(response)
    assert (campaign["name"], campaign["project"], campaign["state"]) == (
        "Batch 1",
        project.pk,
        "unpublished",
    )
    assert (campaign["results_per_task"], campaign["time_allowed_s"]) == (3, 600)
    assert campaign["allowed_actions"] == ["publish", "cancel", "archive"]


def test_the_texts_workers_are_told_are_set_read_and_shown_in_the_work_list(
    project, requester_client, worker_client
):
    # given a campaign created with a title, description, terms and estimated duration
    texts = {
        "title": "Find the cats",
        "description": "Say whether there is a cat.",
        "terms": "Don't share the pictures.",
        "est_duration_s": 30,
    }
    created = body(
        requester_client.post(
            f"/api/v1/projects/{project.pk}/campaigns/", {"name": "Batch 1", **texts}, format="json"
        )
    )
    assert {key: created[key] for key in texts} == texts
    # when the requester changes the title, and publishes with a task
    requester_client.patch(f"/api/v1/campaigns/{created['id']}/", {"title": "Find all cats"}, format="json")
    requester_client.post(f"/api/v1/campaigns/{created['id']}/tasks/", [{"text": "a"}], format="json")
    assert requester_client.post(f"/api/v1/campaigns/{created['id']}/publish/").status_code == 200
    # then a worker's list of campaigns tells them
    [offered] = body(worker_client.get("/api/v1/work/campaigns/"))["results"]
    assert (offered["title"], offered["description"], offered["terms"], offered["est_duration_s"]) == (
        "Find all cats",
        "Say whether there is a cat.",
        "Don't share the pictures.",
        30,
    )


def test_an_estimated_duration_out_of_range_is_refused(project, requester_client):
    response = requester_client.post(
        f"/api/v1/projects/{project.pk}/campaigns/", {"name": "B", "est_duration_s": 0}, format="json"
    )
    assert response.status_code == 400 and error(response)["field"] == "est_duration_s"
    assert Campaign.objects.count() == 0


def test_a_bad_campaign_is_refused_naming_the_field(project, requester_client):
    response = requester_client.post(
        f"/api/v1/projects/{project.pk}/campaigns/",
        {"name": "B", "start_at": "2030-01-02T00:00:00Z", "end_at": "2030-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert error(response) == {
        "code": "invalid-dates",
        "message": "end_at must be after start_at.",
        "field": "end_at",
    }
    assert Campaign.objects.count() == 0


def test_list_campaigns_of_a_project_and_filter_by_state(project, campaign, requester_client):
    active = CampaignFactory(project=project, state=CampaignState.ACTIVE)
    CampaignFactory()
    listed = body(requester_client.get(f"/api/v1/projects/{project.pk}/campaigns"))
    assert sorted(c["id"] for c in listed["results"]) == sorted([campaign.pk, active.pk])
    filtered = body(requester_client.get("/api/v1/campaigns/?state=active"))
    assert [c["id"] for c in filtered["results"]] == [active.pk]


def test_detail_shows_allowed_actions(active_campaign, requester_client):
    data = body(requester_client.get(f"/api/v1/campaigns/{active_campaign.pk}/"))
    assert data["state"] == "active"
    assert data["allowed_actions"] == ["pause", "finish", "cancel"]
    assert data["tasks_count"] == 3


def test_patch_changes_a_campaign(campaign, requester_client):
    response = requester_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/", {"name": "Renamed", "results_per_task": 4}, format="json"
    )
    assert response.status_code == 200
    assert (body(response)["name"], body(response)["results_per_task"]) == ("Renamed", 4)


def test_patching_a_frozen_field_after_publishing_is_a_409(active_campaign, requester_client):
    response = requester_client.patch(
        f"/api/v1/campaigns/{active_campaign.pk}/", {"results_per_task": 5}, format="json"
    )
    assert response.status_code == 409
    assert error(response)["code"] == "frozen-field"
    active_campaign.refresh_from_db()
    assert active_campaign.results_per_task == 1


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        ("unpublished", "publish", "active"),
        ("active", "pause", "paused"),
        ("paused", "continue", "active"),
        ("paused", "finish", "finished"),
        ("active", "cancel", "cancelled"),
        ("finished", "archive", "archived"),
    ],
)
def test_lifecycle_actions(project, requester_client, start, action, end):
    campaign = CampaignFactory(project=project, state=start)
    response = requester_client.post(f"/api/v1/campaigns/{campaign.pk}/{action}/")
    assert response.status_code == 200
    assert body(response)["state"] == end
    campaign.refresh_from_db()
    assert campaign.state == end


def test_every_lifecycle_action_has_an_endpoint(campaign, requester_client):
    for action in ACTIONS:
        assert requester_client.post(f"/api/v1/campaigns/{campaign.pk}/{action}").status_code != 404


def test_publishing_a_cancelled_campaign_is_a_409_and_changes_nothing(project, requester_client):
    campaign = CampaignFactory(project=project, state=CampaignState.CANCELLED)
    response = requester_client.post(f"/api/v1/campaigns/{campaign.pk}/publish/")
    assert response.status_code == 409
    assert error(response) == {
        "code": "illegal-transition",
        "message": "Cannot publish a campaign that is cancelled.",
        "state": "cancelled",
        "action": "publish",
    }
    campaign.refresh_from_db()
    assert (campaign.state, campaign.published_at) == ("cancelled", None)


def test_a_reader_of_a_campaign_cannot_run_it(campaign):
    reader = RequesterFactory()
    PermissionGrant.objects.create(
        user=reader, name=PermissionName.PROJECTS_READ, scope="campaign", scope_id=campaign.pk
    )
    client = token_client(reader)
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 200
    response = client.post(f"/api/v1/campaigns/{campaign.pk}/publish/")
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.state == "unpublished"


def test_a_campaign_manager_scoped_to_the_project_may_run_it(project, campaign):
    manager = RequesterFactory()
    PermissionGrant.objects.create(
        user=manager, name=PermissionName.CAMPAIGNS_MANAGE, scope="project", scope_id=project.pk
    )
    response = token_client(manager).post(f"/api/v1/campaigns/{campaign.pk}/publish")
    assert response.status_code == 200
    assert body(response)["state"] == "active"
