"""Password guessing is locked out per account and per client address, on every password login."""

import json

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.http import JsonResponse
from django.test import Client, RequestFactory, override_settings

from accounts.lockout import lockout_response, password_login
from accounts.services import LoginFailed, LoginThrottled
from tests.api.envelope import error
from tests.conftest import token_client
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("three_strikes")]

PASSWORD = "correct-horse"  # the factories' password
COOL_OFF = 300


@pytest.fixture
def three_strikes():
    with override_settings(AXES_FAILURE_LIMIT=3):
        yield


def post_login(url, username, password, ip="10.0.0.1"):
    return Client(REMOTE_ADDR=ip).post(url, {"username": username, "password": password})


def fail(url, username, times, ip="10.0.0.1"):
    """Wrong passwords; the one that reaches the limit is answered as a lockout already."""
    return [post_login(url, username, "wrong-guess", ip=ip).status_code for _ in range(times)]


def assert_locked_out_page(response):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= COOL_OFF
    page = response.content.decode()
    assert "Too many failed logins for this account or from this address" in page
    assert "try again after that" in page


@pytest.mark.parametrize("url", ["/worker/login/", "/admin/login/"])
def test_an_account_is_locked_out_after_failures_from_any_address(url):
    # given an account that failed three times, each time from another address
    alice = UserFactory(username="alice", is_staff=True)
    answers = [fail(url, alice.username, 1, ip=ip)[0] for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3")]
    assert answers == [200, 200, 429]
    # when the right password comes from a fourth address
    response = post_login(url, alice.username, PASSWORD, ip="10.0.0.4")
    # then the login is refused with a 429 page that says why and for how long, and nobody is logged in
    assert_locked_out_page(response)
    assert "_auth_user_id" not in response.client.session
    # and another account from that address still logs in
    bob = UserFactory(username="bob", is_staff=True)
    assert post_login(url, bob.username, PASSWORD, ip="10.0.0.4").status_code == 302


@pytest.mark.parametrize("url", ["/worker/login/", "/admin/login/"])
def test_an_address_is_locked_out_after_failures_on_any_accounts(url):
    # given one address that failed on three different accounts
    alice = UserFactory(username="alice", is_staff=True)
    answers = [fail(url, name, 1, ip="10.0.0.9")[0] for name in ("carol", "dave", "erin")]
    assert answers == [200, 200, 429]
    # when a good login comes from that address
    response = post_login(url, alice.username, PASSWORD, ip="10.0.0.9")
    # then it is refused too, while the same account elsewhere is not
    assert_locked_out_page(response)
    assert post_login(url, alice.username, PASSWORD, ip="10.0.0.10").status_code == 302


def test_below_the_limit_a_good_password_logs_in():
    # given two failures (the limit is three)
    alice = UserFactory(username="alice")
    assert fail("/worker/login/", alice.username, 2) == [200, 200]
    # when the right password comes, then it logs in
    assert post_login("/worker/login/", alice.username, PASSWORD).status_code == 302


def test_guesses_during_a_lockout_are_refused_without_prolonging_it():
    # given a locked-out account
    alice = UserFactory(username="alice")
    fail("/worker/login/", alice.username, 3)
    failures = list(AccessAttempt.objects.values_list("failures_since_start", "attempt_time"))
    # when more guesses come while it is locked
    for _ in range(3):
        assert_locked_out_page(post_login("/worker/login/", alice.username, "another-guess"))
    # then they are not recorded, so the lockout ends when first announced
    assert list(AccessAttempt.objects.values_list("failures_since_start", "attempt_time")) == failures


def test_the_worker_page_shows_the_form_again_with_the_reason():
    alice = UserFactory(username="alice")
    fail("/worker/login/", alice.username, 3)
    response = post_login("/worker/login/", alice.username, PASSWORD)
    page = response.content.decode()
    assert 'data-testid="locked-out"' in page
    assert "blocked for 5 minutes" in page
    assert 'name="password"' in page


# The reusable piece (for credential logins such as Swarms' token request)


def login_request(ip="10.0.0.1"):
    return RequestFactory().post("/somewhere/login", REMOTE_ADDR=ip)


def test_password_login_returns_the_user_or_refuses_and_then_locks_out():
    alice = UserFactory(username="alice")
    assert password_login(request=login_request(), username="alice", password=PASSWORD) == alice
    for _ in range(2):
        with pytest.raises(LoginFailed):
            password_login(request=login_request(), username="alice", password="wrong-guess")
    with pytest.raises(LoginThrottled):
        password_login(request=login_request(), username="alice", password="wrong-guess")
    with pytest.raises(LoginThrottled) as refused:
        password_login(request=login_request(ip="10.0.0.2"), username="alice", password=PASSWORD)
    assert refused.value.status == 429
    assert 0 < refused.value.extra["retry_after"] <= COOL_OFF


# The current password, asked before changing one's own, is a password login too


def test_guessing_the_current_password_through_the_api_is_locked_out(worker):
    client = token_client(worker)
    url = f"/api/v1/users/{worker.pk}/"
    # given three wrong current passwords
    for _ in range(3):
        response = client.patch(
            url, {"password": "new-password-1", "current_password": "guess"}, format="json"
        )
        if response.status_code == 429:
            break
        assert error(response)["code"] == "current-password-incorrect"
    # when the right one comes
    response = client.patch(url, {"password": "new-password-1", "current_password": PASSWORD}, format="json")
    # then it is a 429 with Retry-After, and the password is unchanged
    assert response.status_code == 429
    assert error(response)["code"] == "too-many-login-failures"
    assert 0 < int(response["Retry-After"]) <= COOL_OFF
    assert User.objects.get(pk=worker.pk).check_password(PASSWORD)


def test_a_turkle_lockout_is_a_429_with_retry_after():
    staff = UserFactory(is_staff=True)
    client = token_client(staff)
    for _ in range(3):
        client.patch(
            f"/api/users/{staff.pk}/", {"password": "x-new-pass", "current_password": "guess"}, format="json"
        )
    response = client.patch(
        f"/api/users/{staff.pk}/", {"password": "x-new-pass", "current_password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "Too many failed logins" in response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= COOL_OFF
    assert User.objects.get(pk=staff.pk).check_password(PASSWORD)


def test_the_test_client_login_still_works():
    # Code that logs in without a request (the test client, manage.py) is not locked out: there is no
    # client to tell apart.
    alice = UserFactory(username="alice")
    client = Client()
    assert client.login(username=alice.username, password=PASSWORD)


def test_an_api_that_lets_a_lockout_through_still_answers_json():
    # given a locked-out account and an API view that answered the attempt in JSON but not as a 429
    UserFactory(username="alice")
    request = login_request()
    for _ in range(3):
        with pytest.raises((LoginFailed, LoginThrottled)):
            password_login(request=request, username="alice", password="wrong-guess")
    # when the lockout answer is made for it
    response = lockout_response(request, JsonResponse({"detail": "no"}, status=401), {"username": "alice"})
    # then it is JSON, a 429 with Retry-After, never the login page
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["code"] == "too-many-login-failures"
    assert 0 < int(response["Retry-After"]) <= COOL_OFF
