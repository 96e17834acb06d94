import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_create, login_token_create
from tests.api.envelope import body, error

pytestmark = pytest.mark.django_db


def login(key, *, ip="10.0.0.1", keyword="token"):
    client = APIClient(REMOTE_ADDR=ip)
    headers = {"HTTP_AUTHORIZATION": f"{keyword} {key}"} if key is not None else {}
    return client.post("/api/v1/login/", **headers)


def test_login_exchanges_an_api_token_for_a_raw_bearer_token(worker):
    # given an API token
    _, key = api_token_create(user=worker, name="script")
    # when it is sent as "Authorization: token <key>"
    response = login(key)
    # then the answer is the raw seed 003 body, not enveloped
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"access_token", "token_type", "expires_in"}
    assert (data["token_type"], data["expires_in"]) == ("bearer", 3600)
    login_token = ApiToken.objects.get(user=worker, kind=ApiToken.Kind.LOGIN)
    assert login_token.expires_at is not None
    # and the bearer token authenticates the API
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {data['access_token']}")
    assert body(client.get("/api/v1/tokens/"))["count"] == 2


def test_the_keyword_is_case_insensitive_and_the_trailing_slash_optional(worker):
    _, key = api_token_create(user=worker)
    response = APIClient().post("/api/v1/login", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_a_bad_token_is_an_enveloped_401_and_creates_nothing(worker):
    response = login("not-a-token")
    assert response.status_code == 401
    assert error(response) == {"code": "invalid-credentials", "message": "The token is not valid."}
    assert ApiToken.objects.count() == 0


def test_a_missing_header_is_a_401_that_says_a_token_is_expected(db):
    response = login(None)
    assert response.status_code == 401
    assert error(response)["code"] == "token-required"


def test_a_username_and_password_body_is_told_what_the_login_takes(worker):
    # given a client used to password logins
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    # when it posts a username and password
    response = client.post(
        "/api/v1/login/", {"username": worker.username, "password": "correct-horse"}, format="json"
    )
    # then it is told to send an API token in the Authorization header, and nothing is issued
    assert response.status_code == 401
    item = error(response)
    assert item["code"] == "token-required"
    assert "Authorization: token <API token>" in item["message"]
    assert "not a username and password" in item["message"]
    assert not ApiToken.objects.filter(kind=ApiToken.Kind.LOGIN).exists()


def test_a_login_token_cannot_log_in_again(worker):
    # given a bearer token from an earlier login
    _, bearer = login_token_create(user=worker)
    # when it is offered as the credential, then it is refused: only API tokens log in
    assert login(bearer).status_code == 401
    assert ApiToken.objects.filter(kind=ApiToken.Kind.LOGIN).count() == 1


@override_settings(CROWD_LOGIN_FAILURES_ALLOWED=3, CROWD_LOGIN_FAILURE_WINDOW=60)
def test_failed_logins_are_throttled_per_client_address(worker):
    # given three failures from one address
    _, key = api_token_create(user=worker)
    for _ in range(3):
        assert login("wrong", ip="10.0.0.7").status_code == 401
    # when that address tries again, even with a good token
    response = login(key, ip="10.0.0.7")
    # then it is refused with 429 and nothing is issued
    assert response.status_code == 429
    item = error(response)
    assert (item["code"], item["retry_after"]) == ("too-many-login-failures", 60)
    assert response["Retry-After"] == "60"
    assert not ApiToken.objects.filter(kind=ApiToken.Kind.LOGIN).exists()
    # and another address is not affected
    assert login(key, ip="10.0.0.8").status_code == 200


def test_successful_logins_are_not_counted_as_failures(worker):
    _, key = api_token_create(user=worker)
    with override_settings(CROWD_LOGIN_FAILURES_ALLOWED=2):
        for _ in range(4):
            assert login(key).status_code == 200
