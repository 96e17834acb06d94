import io
from datetime import timedelta

import pytest
import yaml
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_create
from compat.turkle.urls import turkle_patterns
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_root_lists_every_collection_and_the_schema_with_absolute_urls():
    # given a user with a token
    _, key = api_token_create(user=UserFactory(), name="script")
    # when
    response = APIClient().get("/api/", HTTP_AUTHORIZATION=f"Token {key}")

    # then
    assert response.status_code == 200
    assert response.json() == {
        "users": "http://testserver/api/users/",
        "groups": "http://testserver/api/groups/",
        "projects": "http://testserver/api/projects/",
        "batches": "http://testserver/api/batches/",
        "schema": "http://testserver/api/schema/",
    }


def test_root_needs_a_token_as_in_turkle():
    # when
    response = APIClient().get("/api/")

    # then
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("url", ["/api/users/", "/api/groups/", "/api/projects/", "/api/batches/"])
def test_missing_token_is_403_with_drf_detail(url):
    # when
    response = APIClient().get(url)

    # then
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert "WWW-Authenticate" not in response


def test_bad_token_is_403_invalid_token():
    # given
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")

    # when
    response = client.get("/api/projects/")

    # then
    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid token."}


def test_an_expired_token_is_403_invalid_token(owner):
    # given a token of the owner that expired a second ago
    token, key = api_token_create(user=owner, expires_at=timezone.now() + timedelta(hours=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    # when
    response = client.get("/api/projects/")

    # then
    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.parametrize("keyword", ["Token", "token", "TOKEN"])
def test_token_keyword_is_case_insensitive(owner, keyword):
    # given
    _, key = api_token_create(user=owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")

    # when
    response = client.get("/api/projects/")

    # then
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_schema_needs_no_auth_and_covers_exactly_the_turkle_routes():
    # when
    response = APIClient().get("/api/schema/")

    # then
    assert response.status_code == 200
    schema = yaml.safe_load(io.BytesIO(response.content))
    validate(schema)
    assert sorted(schema["paths"]) == sorted(
        [
            "/api/batches/",
            "/api/batches/{id}/",
            "/api/batches/{id}/input/",
            "/api/batches/{id}/permissions/",
            "/api/batches/{id}/progress/",
            "/api/batches/{id}/results/",
            "/api/batches/{id}/tasks/",
            "/api/groups/",
            "/api/groups/{id}/",
            "/api/groups/{id}/users/",
            "/api/groups/name/{name}/",
            "/api/projects/",
            "/api/projects/{id}/",
            "/api/projects/{id}/batches/",
            "/api/projects/{id}/permissions/",
            "/api/users/",
            "/api/users/{id}/",
            "/api/users/username/{username}/",
        ]
    )
    assert sorted(schema["paths"]["/api/batches/{id}/permissions/"]) == ["get", "post", "put"]
    assert sorted(schema["paths"]["/api/batches/{id}/"]) == ["get", "patch"]
    assert sorted(schema["paths"]["/api/projects/{id}/"]) == ["get", "patch", "put"]


def test_schema_generates_without_warnings(capsys):
    # given
    generator = SchemaGenerator(patterns=[path("api/", include(turkle_patterns))])

    # when
    generator.get_schema(request=None, public=True)

    # then
    assert "Warning" not in capsys.readouterr().err
