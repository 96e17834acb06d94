from decimal import Decimal as D

import pytest

from accounts.models import LedgerEntry
from tests.conftest import token_client
from tests.factories import RequesterFactory, UserFactory

from .invariants import assert_money_invariants, balances
from .scenario import campaign_with_tasks, fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    return token_client(UserFactory(is_staff=True))


def test_staff_deposit_is_idempotent_by_key(staff_client):
    user = UserFactory()
    body = {"amount": "25.00", "reason": "bank transfer 7", "idempotency_key": "dep-1"}
    first = staff_client.post(f"/api/v1/wallets/{user.pk}/deposit/", body, format="json")
    again = staff_client.post(f"/api/v1/wallets/{user.pk}/deposit", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["data"] == again.json()["data"]
    assert first.json()["data"]["balance"] == {"available": "25.00", "frozen": "0.00", "currency": "EUR"}
    assert first.json()["data"]["entry"]["source"] == "external/available"
    assert balances(user) == (D("25.00"), D("0"))
    assert_money_invariants()


def test_deposit_needs_staff_and_a_key(worker_client, staff_client):
    user = UserFactory()
    body = {"amount": "5", "reason": "r", "idempotency_key": "k"}
    assert worker_client.post(f"/api/v1/wallets/{user.pk}/deposit/", body, format="json").status_code == 403
    response = staff_client.post(
        f"/api/v1/wallets/{user.pk}/deposit/", {"amount": "5", "reason": "r"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "idempotency-key-required"
    assert not LedgerEntry.objects.exists()


def test_adjust_below_zero_is_402_and_changes_nothing(staff_client):
    user = UserFactory()
    fund(user, "3")
    body = {"amount": "-5", "reason": "chargeback", "idempotency_key": "adj-1"}
    response = staff_client.post(f"/api/v1/wallets/{user.pk}/adjust/", body, format="json")
    assert response.status_code == 402
    assert response.json()["errors"][0]["code"] == "insufficient-funds"
    assert balances(user) == (D("3"), D("0"))
    assert_money_invariants()


def test_me_shows_the_profile_with_balance_and_commission_rate():
    requester = RequesterFactory(first_name="Jon", last_name="Doe")
    fund(requester, "10")
    campaign_with_tasks(requester=requester, tasks=2, rate="0.25")
    response = token_client(requester).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["data"] == {
        "id": requester.pk,
        "username": requester.username,
        "email": requester.email,
        "first_name": "Jon",
        "last_name": "Doe",
        "name": "Jon Doe",
        "balance": {"available": "7.50", "frozen": "2.50", "currency": "EUR"},
        "commission_rate": "0.2500",
        "roles": ["worker", "requester"],
    }


def test_ledger_lists_my_entries_and_staff_may_ask_for_another_user(staff_client):
    user, other = UserFactory(), UserFactory()
    fund(user, "4")
    fund(other, "9")
    response = token_client(user).get("/api/v1/ledger/")
    assert response.status_code == 200
    entries = response.json()["data"]["results"]
    assert [(e["kind"], e["amount"], e["destination"]) for e in entries] == [
        ("deposit", "4.00", f"user:{user.pk}/available")
    ]
    assert token_client(user).get(f"/api/v1/ledger/?user={other.pk}").status_code == 404
    response = staff_client.get(f"/api/v1/ledger/?user={other.pk}")
    assert [e["amount"] for e in response.json()["data"]["results"]] == ["9.00"]


def test_publishing_through_the_api_without_money_is_402():
    requester = RequesterFactory()
    campaign = campaign_with_tasks(requester=requester, tasks=2, publish=False)
    response = token_client(requester).post(f"/api/v1/campaigns/{campaign.pk}/publish/", format="json")
    assert response.status_code == 402
    assert response.json()["errors"][0]["code"] == "insufficient-funds"
    campaign.refresh_from_db()
    assert campaign.state == "unpublished"
    assert not LedgerEntry.objects.exists()
