"""One's own password changes only with the current one; a leaked token must not become a password login."""

import pytest
from django.contrib.auth.models import User

from tests.api.envelope import body, error
from tests.conftest import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse"  # the factories' password
NEW = "a-new-password"

SURFACES = {
    "native": lambda user: f"/api/v1/users/{user.pk}/",
    "turkle": lambda user: f"/api/users/{user.pk}/",
}


def refusal(surface, response):
    """(code or field, message) of a refused change, in each surface's shape."""
    if surface == "native":
        item = error(response)
        return item["code"], item["field"]
    ((field, _messages),) = response.json().items()
    return None, field


# Turkle's user API is for staff; the native one is for everyone's own account.
OWN_ACCOUNT = pytest.mark.parametrize(
    ("surface", "role"),
    [
        (surface, role)
        for surface in SURFACES
        for role in ("worker", "staff", "superuser")
        if not (surface == "turkle" and role == "worker")
    ],
)


@pytest.fixture
def someone(role):
    return UserFactory(is_staff=role != "worker", is_superuser=role == "superuser")


@OWN_ACCOUNT
def test_changing_ones_password_without_the_current_one_is_refused(someone, surface):
    # when the owner of a token asks for a new password without giving the current one
    response = token_client(someone).patch(SURFACES[surface](someone), {"password": NEW}, format="json")
    # then it is a 400 naming current_password, and the password is unchanged
    assert response.status_code == 400
    code, field = refusal(surface, response)
    assert field == "current_password"
    assert code in (None, "current-password-required")
    assert User.objects.get(pk=someone.pk).check_password(PASSWORD)


@OWN_ACCOUNT
def test_a_wrong_current_password_is_refused(someone, surface):
    response = token_client(someone).patch(
        SURFACES[surface](someone), {"password": NEW, "current_password": "a-guess"}, format="json"
    )
    assert response.status_code == 400
    code, field = refusal(surface, response)
    assert field == "current_password"
    assert code in (None, "current-password-incorrect")
    assert User.objects.get(pk=someone.pk).check_password(PASSWORD)


@OWN_ACCOUNT
def test_the_current_password_lets_the_change_through(someone, surface):
    response = token_client(someone).patch(
        SURFACES[surface](someone), {"password": NEW, "current_password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert User.objects.get(pk=someone.pk).check_password(NEW)


def test_the_native_error_says_what_to_send(worker):
    response = token_client(worker).patch(f"/api/v1/users/{worker.pk}/", {"password": NEW}, format="json")
    assert error(response) == {
        "code": "current-password-required",
        "message": "Give your current password (current_password) to change it.",
        "field": "current_password",
    }


def test_other_fields_of_ones_own_account_need_no_password(worker):
    response = token_client(worker).patch(
        f"/api/v1/users/{worker.pk}/", {"first_name": "Wendy"}, format="json"
    )
    assert (response.status_code, body(response)["first_name"]) == (200, "Wendy")


@pytest.mark.parametrize("surface", SURFACES)
def test_staff_set_an_ordinary_users_password_without_knowing_it(surface):
    # given staff and an ordinary account (rule 1: staff administer ordinary accounts)
    staff, worker = UserFactory(is_staff=True), UserFactory()
    # when staff set that user's password
    response = token_client(staff).patch(SURFACES[surface](worker), {"password": NEW}, format="json")
    # then it is set
    assert response.status_code == 200
    assert User.objects.get(pk=worker.pk).check_password(NEW)


def test_an_ordinary_user_cannot_reach_another_users_password(worker):
    other = UserFactory()
    response = token_client(worker).patch(f"/api/v1/users/{other.pk}/", {"password": NEW}, format="json")
    assert response.status_code == 404
    assert User.objects.get(pk=other.pk).check_password(PASSWORD)
