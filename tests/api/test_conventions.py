"""Seed 003 conventions: envelope, optional trailing slash, case-insensitive booleans, index, unknown URLs."""

import pytest

from tests.api.envelope import body, error
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_the_index_lists_every_endpoint_without_authentication(anon_client):
    endpoints = body(anon_client.get("/api/v1/"))["endpoints"]
    for path, methods in {
        "/api/v1/login/": ["POST"],
        "/api/v1/tokens/": ["GET", "POST"],
        "/api/v1/projects/{id}/": ["GET", "PATCH"],
        "/api/v1/campaigns/{id}/publish/": ["POST"],
        "/api/v1/campaigns/{campaign_pk}/tasks/": ["GET", "POST"],
        "/api/v1/assignments/": ["GET"],
        "/api/v1/work/campaigns/{id}/claim/": ["POST"],
        "/api/v1/work/assignments/{id}/submit/": ["POST"],
    }.items():
        assert endpoints[path] == methods, path
    assert all(path.startswith("/api/v1/") for path in endpoints)


@pytest.mark.parametrize("url", ["/api/v1/projects", "/api/v1/projects/"])
def test_routes_answer_with_or_without_a_trailing_slash(requester_client, url):
    response = requester_client.get(url)
    assert response.status_code == 200
    assert body(response)["count"] == 0


@pytest.mark.parametrize("value", ["true", "TRUE", "True", "tRuE", "1"])
def test_booleans_in_query_strings_are_case_insensitive(project, requester_client, value):
    training = CampaignFactory(project=project, training=True)
    CampaignFactory(project=project, training=False)
    data = body(requester_client.get(f"/api/v1/campaigns/?training={value}"))
    assert [c["id"] for c in data["results"]] == [training.pk]


def test_a_boolean_that_is_not_one_is_a_400(requester_client):
    response = requester_client.get("/api/v1/campaigns/?training=perhaps")
    assert response.status_code == 400
    assert error(response) == {
        "code": "invalid-boolean",
        "message": "'perhaps' is not a boolean; use true or false.",
        "field": "training",
    }


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("url", ["/api/v1/nothing-here/", "/api/v1/projects/abc/", "/api/v1/projects/1/nope"])
def test_unknown_urls_are_an_enveloped_404(requester_client, method, url):
    response = getattr(requester_client, method)(url)
    assert response.status_code == 404
    assert error(response) == {
        "code": "unknown-resource",
        "message": "Unknown resource. Please check the URL.",
    }


def test_a_missing_object_is_an_enveloped_404(requester_client):
    response = requester_client.get("/api/v1/projects/999999/")
    assert response.status_code == 404
    assert error(response) == {"code": "project-not-found", "message": "No such project."}


def test_pages_carry_next_and_previous(project, requester_client):
    for _ in range(3):
        CampaignFactory(project=project)
    first = body(requester_client.get("/api/v1/campaigns/?page_size=2"))
    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    second = body(requester_client.get(first["next"]))
    assert len(second["results"]) == 1 and second["previous"] is not None
