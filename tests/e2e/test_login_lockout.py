"""A person who mistypes their password too often sees, on the login page, why and for how long."""

import pytest

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_worker_login_page_says_the_account_is_locked_and_for_how_long(page, live_server, settings):
    # given an account and a limit of three failures
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory(username="wanda")
    page.goto(f"{live_server.url}/worker/login/")

    def attempt(password):
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Log in").click()
        return answer.value

    # when the password is wrong twice, the page says so
    for _ in range(2):
        assert attempt("wrong-guess").status == 200
        assert page.get_by_text("Your username and password didn't match").is_visible()
    # and the third failure locks the account
    locked = attempt("wrong-guess")
    # then the page says why and how long, and the form is there for later
    assert locked.status == 429
    assert 0 < int(locked.headers["retry-after"]) <= 300
    message = page.get_by_test_id("locked-out")
    assert message.is_visible()
    assert "Too many failed logins for this account or from this address." in message.inner_text()
    assert "blocked for 5 minutes" in message.inner_text()
    # and even the right password is refused while it lasts
    assert attempt("correct-horse").status == 429
    assert page.url.endswith("/worker/login/")
