import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.selectors import api_token_get_active
from accounts.services import api_token_create
from tests.api.envelope import body, error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_lists_only_their_own_tokens(worker, worker_client):
    api_token_create(user=UserFactory(), name="someone else's")
    data = body(worker_client.get("/api/v1/tokens/"))
    assert data["count"] == 1
    token = data["results"][0]
    assert set(token) == {"id", "user", "name", "kind", "prefix", "created_at", "expires_at", "last_used_at"}
    assert (token["user"], token["name"], token["kind"]) == (worker.username, "test", "api")
    assert token["last_used_at"] is not None


def test_creating_a_token_shows_its_key_once(worker, worker_client):
    # when a token is created
    response = worker_client.post(
        "/api/v1/tokens/", {"name": "ci", "expires_at": "2030-01-01T00:00:00Z"}, format="json"
    )
    # then the key is in the answer and works
    assert response.status_code == 201
    created = body(response)
    assert created["name"] == "ci" and created["expires_at"] == "2030-01-01T00:00:00Z"
    assert created["prefix"] == created["key"][:8]
    assert api_token_get_active(key=created["key"]).user == worker
    # and it is never shown again
    assert "key" not in body(worker_client.get(f"/api/v1/tokens/{created['id']}/"))


def test_revoking_a_token_deletes_it(worker, worker_client):
    token, _ = api_token_create(user=worker, name="old")
    response = worker_client.delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 200
    assert body(response)["name"] == "old"
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_another_users_token_is_a_404_and_survives(worker_client):
    token, _ = api_token_create(user=UserFactory())
    assert worker_client.get(f"/api/v1/tokens/{token.pk}/").status_code == 404
    response = worker_client.delete(f"/api/v1/tokens/{token.pk}/")
    assert response.status_code == 404
    assert error(response)["code"] == "token-not-found"
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_only_staff_create_tokens_for_others(worker_client, staff_client):
    other = UserFactory()
    response = worker_client.post("/api/v1/tokens/", {"user": other.pk}, format="json")
    assert response.status_code == 403
    assert error(response)["code"] == "staff-only"
    assert not ApiToken.objects.filter(user=other).exists()
    response = staff_client.post("/api/v1/tokens/", {"user": other.pk, "name": "for you"}, format="json")
    assert response.status_code == 201
    assert body(response)["user"] == other.username


def test_staff_list_and_revoke_other_users_tokens(staff_client):
    other = UserFactory()
    token, _ = api_token_create(user=other)
    listed = body(staff_client.get(f"/api/v1/tokens/?user={other.pk}"))
    assert [t["id"] for t in listed["results"]] == [token.pk]
    assert staff_client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 200
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_anonymous_gets_401(anon_client):
    response = anon_client.get("/api/v1/tokens/")
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"


def test_create_token_command_prints_only_the_key(worker):
    out = io.StringIO()
    call_command("create_token", worker.username, "--name", "deploy", stdout=out)
    key = out.getvalue().strip()
    token = api_token_get_active(key=key)
    assert (token.user, token.name) == (worker, "deploy")


def test_create_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("create_token", "nobody")
    assert ApiToken.objects.count() == 0


def test_an_expired_token_is_refused_with_an_enveloped_401(worker):
    # given a token that expired a second ago, and one that is still valid
    now = timezone.now()
    expired, expired_key = api_token_create(user=worker, name="old", expires_at=now + timedelta(hours=1))
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(seconds=1))
    _, live_key = api_token_create(user=worker, name="new", expires_at=now + timedelta(hours=1))
    # when each is used on the API
    refused = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {expired_key}")
    accepted = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {live_key}")
    # then the expired one is a 401 (the live one works) and its use is not recorded
    assert refused.status_code == 401
    assert error(refused) == {"code": "invalid-credentials", "message": "Invalid token."}
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'
    assert (accepted.status_code, body(accepted)["id"]) == (200, worker.pk)
    assert ApiToken.objects.get(pk=expired.pk).last_used_at is None


@pytest.mark.parametrize("expires_at", ["2020-01-01T00:00:00Z", "now"])
def test_a_token_that_would_be_born_expired_is_refused(worker, worker_client, expires_at):
    # given an expiry that has passed (or is this very moment)
    if expires_at == "now":
        expires_at = timezone.now().isoformat()
    # when a token is asked for with it
    response = worker_client.post(
        "/api/v1/tokens/", {"name": "late", "expires_at": expires_at}, format="json"
    )
    # then it is a 400 on expires_at and no token is made
    assert response.status_code == 400
    assert error(response) == {
        "code": "expires-in-past",
        "message": "expires_at must be in the future.",
        "field": "expires_at",
    }
    assert not ApiToken.objects.filter(name="late").exists()
