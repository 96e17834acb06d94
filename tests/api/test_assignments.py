from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import PermissionGrant, PermissionName
from results.claim import assignment_claim_next
from results.services import assignment_submit
from tests.api.envelope import body, error
from tests.conftest import token_client
from tests.factories import CampaignFactory, RequesterFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(active_campaign):
    """Two workers: the first submitted, the second still working."""
    done_worker, busy_worker = UserFactory(username="ada"), UserFactory(username="bob")
    done = assignment_claim_next(campaign_id=active_campaign.pk, worker=done_worker)
    assignment_submit(assignment_id=done.pk, worker=done_worker, answers={"label": "cat"})
    busy = assignment_claim_next(campaign_id=active_campaign.pk, worker=busy_worker)
    return done, busy


def test_requester_lists_results_of_their_campaigns(active_campaign, results, requester_client):
    done, busy = results
    other = CampaignFactory()
    TaskFactory(campaign=other)
    assignment_claim_next(campaign_id=other.pk, worker=UserFactory())
    data = body(requester_client.get("/api/v1/assignments/"))
    assert [a["id"] for a in data["results"]] == [done.pk, busy.pk]
    first = data["results"][0]
    assert first["worker"] == {"id": done.worker_id, "username": "ada"}
    assert (first["state"], first["answers"], first["input"]) == (
        "submitted",
        {"label": "cat"},
        done.task.input,
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=submitted", ["done"]),
        ("state=accepted&state=submitted", ["done", "busy"]),
        ("worker=bob", ["busy"]),
        ("campaign={campaign}", ["done", "busy"]),
        ("since={past}", ["done"]),
        ("since={future}", []),
    ],
)
def test_assignment_filters(active_campaign, results, requester_client, query, expected):
    done, busy = results
    names = {done.pk: "done", busy.pk: "busy"}
    now = timezone.now()
    query = query.format(
        campaign=active_campaign.pk,
        past=(now - timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
        future=(now + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
    )
    data = body(requester_client.get(f"/api/v1/assignments/?{query}"))
    assert [names[a["id"]] for a in data["results"]] == expected


@pytest.mark.parametrize(
    "path",
    ["/api/v1/assignments/?state=accepted&state=submitted", "/api/v1/work/assignments/?state=accepted"],
)
def test_a_state_filter_lists_each_row_once_without_making_the_database_dedupe_them(results, path, request):
    # given results in two states (and the worker's client for the worker's own list)
    done, busy = results
    client = token_client(busy.worker) if "/work/" in path else request.getfixturevalue("requester_client")
    # when a list is filtered by state
    with CaptureQueriesContext(connection) as captured:
        data = body(client.get(path))
    # then each matching row comes once, and no statement asked for DISTINCT (a sort of every matching row)
    ids = [a["id"] for a in data["results"]]
    assert len(ids) == len(set(ids)) == data["count"] > 0
    assert not any("DISTINCT" in q["sql"] for q in captured.captured_queries)


def test_worker_filter_accepts_an_id(results, requester_client):
    done, _ = results
    data = body(requester_client.get(f"/api/v1/assignments/?worker={done.worker_id}"))
    assert [a["id"] for a in data["results"]] == [done.pk]


def test_a_bad_filter_value_is_a_400(results, requester_client):
    response = requester_client.get("/api/v1/assignments/?since=yesterday")
    assert response.status_code == 400
    assert error(response)["field"] == "since"


def test_results_read_scoped_to_a_campaign_grants_its_results_only(active_campaign, results):
    # given a colleague with results.read on this campaign only
    colleague = RequesterFactory()
    PermissionGrant.objects.create(
        user=colleague, name=PermissionName.RESULTS_READ, scope="campaign", scope_id=active_campaign.pk
    )
    CampaignFactory()
    # then they see its assignments
    data = body(token_client(colleague).get("/api/v1/assignments/"))
    assert data["count"] == 2


def test_a_project_reader_without_results_read_sees_no_results(project, active_campaign, results):
    reader = RequesterFactory()
    PermissionGrant.objects.create(
        user=reader, name=PermissionName.PROJECTS_READ, scope="project", scope_id=project.pk
    )
    client = token_client(reader)
    assert body(client.get("/api/v1/assignments/"))["count"] == 0
    assert client.get(f"/api/v1/assignments/{results[0].pk}/").status_code == 404


def test_assignment_detail(results, requester_client):
    done, _ = results
    data = body(requester_client.get(f"/api/v1/assignments/{done.pk}"))
    assert (data["id"], data["task"], data["state"]) == (done.pk, done.task_id, "submitted")
