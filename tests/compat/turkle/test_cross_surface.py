"""A batch made through the Turkle API lives in the one engine: the native API sees it, workers work it."""

import csv
import io

import pytest
from django.urls import Resolver404, resolve

from campaigns.models import Campaign
from campaigns.selectors import campaign_get_for_requester, campaign_list_for_worker
from campaigns.services import campaign_create, campaign_publish
from results.claim import assignment_claim_next
from results.services import assignment_submit
from tasks.ingest import tasks_ingest_rows
from tests.factories import UserFactory

from .conftest import example

pytestmark = pytest.mark.django_db


def native_route_exists(url: str) -> bool:
    try:
        resolve(url)
    except Resolver404:
        return False
    return True


def test_a_turkle_batch_is_seen_natively_worked_and_exported(owner_client, owner, project):
    # given a batch created through the Turkle API
    created = owner_client.post(
        "/api/batches/",
        {
            "name": "Bird Photos",
            "project": project.pk,
            "filename": "image_contains.csv",
            "csv_text": example("image_contains.csv"),
        },
        format="json",
    )
    batch_id = created.json()["id"]

    # then the native API (or, without it, the engine's selectors) shows it to its owner
    if native_route_exists(f"/api/v1/campaigns/{batch_id}/"):
        native = owner_client.get(f"/api/v1/campaigns/{batch_id}/")
        assert native.status_code == 200
        assert native.json()["data"]["id"] == batch_id
        assert native.json()["data"]["state"] == "active"
    campaign = campaign_get_for_requester(user=owner, pk=batch_id)
    assert campaign.tasks_count == 7

    # when a worker takes the first task and submits the form's answers
    worker = UserFactory(username="wanda")
    assert batch_id in campaign_list_for_worker(user=worker).values_list("pk", flat=True)
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    assignment_submit(
        assignment_id=assignment.pk,
        worker=worker,
        answers={"contains": "yes", "also": ["animal"], "comment": "a red bike"},
    )

    # then the Turkle results CSV carries them
    results = owner_client.get(f"/api/batches/{batch_id}/results/")
    rows = list(csv.DictReader(io.StringIO(b"".join(results.streaming_content).decode())))
    assert len(rows) == 1
    assert {k: rows[0][k] for k in rows[0] if k.startswith(("Answer.", "Input.", "Turkle."))} == {
        "Input.image_url": "https://images.example.org/street-001.jpg",
        "Input.object": "a bicycle",
        "Answer.also": "['animal']",
        "Answer.comment": "a red bike",
        "Answer.contains": "yes",
        "Turkle.Username": "wanda",
    }
    assert rows[0]["AssignmentId"] == str(assignment.pk)
    assert (
        owner_client.get(f"/api/batches/{batch_id}/progress/").json()["total_finished_task_assignments"] == 1
    )


def test_a_natively_made_campaign_is_a_turkle_batch(owner_client, owner, project):
    # given a campaign made through the engine's services, as the native API does
    campaign = campaign_create(project=project, created_by=owner, name="Native", filename="n.csv")
    tasks_ingest_rows(campaign=campaign, rows=[{"image_url": "u", "object": "o"}], created_by=owner)
    campaign_publish(campaign=campaign)

    # when
    response = owner_client.get(f"/api/batches/{campaign.pk}/")
    batches = owner_client.get(f"/api/projects/{project.pk}/batches/")

    # then
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["active"], response.json()["published"]) == (
        "Native",
        True,
        True,
    )
    assert [b["id"] for b in batches.json()["results"]] == [campaign.pk]
    assert Campaign.objects.count() == 1
