"""Who may reach what: requester B never sees requester A's objects, workers never use requester endpoints."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import LedgerEntry, Wallet
from campaigns.models import Campaign
from projects.models import Project
from results.claim import assignment_claim_next
from results.models import Assignment
from results.services import assignment_submit
from tasks.models import Task
from tests.api.envelope import body, error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects_of_a(active_campaign):
    worker = UserFactory()
    assignment = assignment_claim_next(campaign_id=active_campaign.pk, worker=worker)
    assignment_submit(assignment_id=assignment.pk, worker=worker, answers={"label": "x"})
    return {
        "project": active_campaign.project_id,
        "campaign": active_campaign.pk,
        "task": assignment.task_id,
        "assignment": assignment.pk,
        "worker": worker.pk,
    }


def requester_endpoints(ids):
    p, c, t, a, w = ids["project"], ids["campaign"], ids["task"], ids["assignment"], ids["worker"]
    until = (timezone.now() + timedelta(days=1)).isoformat()
    return [
        ("get", f"/api/v1/projects/{p}/", None),
        ("patch", f"/api/v1/projects/{p}/", {"name": "taken over"}),
        ("get", f"/api/v1/projects/{p}/campaigns/", None),
        ("post", f"/api/v1/projects/{p}/campaigns/", {"name": "intruder"}),
        ("get", f"/api/v1/campaigns/{c}/", None),
        ("patch", f"/api/v1/campaigns/{c}/", {"name": "taken over"}),
        *[
            ("post", f"/api/v1/campaigns/{c}/{action}/", None)
            for action in ("publish", "pause", "continue", "finish", "cancel", "archive")
        ],
        ("get", f"/api/v1/campaigns/{c}/tasks/", None),
        ("post", f"/api/v1/campaigns/{c}/tasks/", [{"text": "injected"}]),
        ("get", f"/api/v1/tasks/{t}/", None),
        ("get", f"/api/v1/assignments/{a}/", None),
        ("post", f"/api/v1/assignments/{a}/approve/", None),
        ("post", f"/api/v1/assignments/{a}/reject/", {"reason": "taken over"}),
        ("post", f"/api/v1/assignments/{a}/soft-reject/", {"reason": "taken over", "until": until}),
        ("post", f"/api/v1/assignments/{a}/overturn/", None),
        ("post", f"/api/v1/assignments/{a}/quality/", {"quality": 50}),
        ("post", f"/api/v1/campaigns/{c}/approve-all/", None),
        ("post", f"/api/v1/campaigns/{c}/approve-all/", {"worker": w}),
        ("get", f"/api/v1/campaigns/{c}/workers/", None),
        ("get", f"/api/v1/campaigns/{c}/results.csv", None),
        ("get", f"/api/v1/campaigns/{c}/results.jsonl", None),
    ]


LISTS = ["/api/v1/projects/", "/api/v1/campaigns/", "/api/v1/assignments/"]


def snapshot():
    return (
        list(Project.objects.values_list("id", "name")),
        list(Campaign.objects.values_list("id", "name", "state")),
        Task.objects.count(),
        list(
            Assignment.objects.order_by("id").values_list("id", "state", "quality", "feedback", "redo_until")
        ),
        LedgerEntry.objects.count(),
        list(Wallet.objects.order_by("id").values_list("id", "available", "frozen")),
    )


def test_requester_b_gets_404_on_every_object_of_requester_a(objects_of_a, other_client):
    before = snapshot()
    for method, url, payload in requester_endpoints(objects_of_a):
        response = getattr(other_client, method)(url, payload, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
        assert error(response)["code"].endswith("not-found"), (method, url)
    for url in LISTS:
        assert body(other_client.get(url))["count"] == 0, url
    assert snapshot() == before


def test_a_worker_gets_403_on_requester_endpoints(objects_of_a, worker_client):
    before = snapshot()
    for method, url, payload in [*requester_endpoints(objects_of_a), *[("get", u, None) for u in LISTS]]:
        response = getattr(worker_client, method)(url, payload, format="json")
        assert response.status_code == 403, (method, url, response.status_code)
        assert error(response)["code"] == "forbidden"
    response = worker_client.post("/api/v1/projects/", {"name": "mine"}, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_anonymous_gets_401_everywhere_but_the_index_and_login(objects_of_a, anon_client):
    before = snapshot()
    money = {"amount": "5.00", "reason": "gift", "idempotency_key": "anon-1"}
    worker_endpoints = [
        ("get", "/api/v1/work/campaigns/", None),
        ("post", f"/api/v1/work/campaigns/{objects_of_a['campaign']}/claim/", None),
        ("get", "/api/v1/work/assignments/", None),
        ("post", f"/api/v1/work/assignments/{objects_of_a['assignment']}/submit/", {"answers": {}}),
        ("get", "/api/v1/tokens/", None),
        ("get", "/api/v1/users/", None),
        ("get", "/api/v1/groups/", None),
        ("get", "/api/v1/permissions/", None),
        ("get", "/api/v1/me/", None),
        ("get", "/api/v1/ledger/", None),
        ("post", f"/api/v1/wallets/{objects_of_a['worker']}/deposit/", money),
        ("post", f"/api/v1/wallets/{objects_of_a['worker']}/adjust/", money),
    ]
    everything = [*requester_endpoints(objects_of_a), *[("get", u, None) for u in LISTS], *worker_endpoints]
    for method, url, payload in everything:
        response = getattr(anon_client, method)(url, payload, format="json")
        assert response.status_code == 401, (method, url, response.status_code)
        assert error(response)["code"] == "unauthenticated"
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert anon_client.get("/api/v1/").status_code == 200
    assert snapshot() == before
