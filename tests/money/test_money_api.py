from decimal import Decimal as D

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from accounts.models import LedgerEntry, Profile, Wallet
from accounts.services import profile_update
from crowdplatform.errors import ValidationFailed
from tests.api.envelope import seed_item
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
    error = response.json()["errors"][0]
    assert error["code"] == "insufficient-funds"
    assert error["message"].endswith(": 5.00 needed, 3.00 available.")
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
        "phone": "",
        "organization": "",
        "website": "",
        "logo": "",
        "customer_id": "",
        "charity": False,
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


PROFILE_FIELDS = ("phone", "organization", "website", "logo", "customer_id", "charity")


def profile_of(user) -> dict:
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    return {field: getattr(profile, field) for field in PROFILE_FIELDS}


def test_me_shows_seed_004_profile_fields():
    # given a user whose profile was filled in
    user = UserFactory()
    Profile.objects.create(
        user=user,
        phone="+123456789",
        organization="Swarms Technologies",
        website="https://www.swarms.com",
        logo="https://logo.swarms.com",
        customer_id="AB12CD34",
        charity=True,
    )
    # when they ask for their profile
    response = token_client(user).get("/api/v1/me")
    # then the seed 004 fields are there beside the account and the balance
    assert response.status_code == 200
    data = response.json()["data"]
    assert {field: data[field] for field in PROFILE_FIELDS} == {
        "phone": "+123456789",
        "organization": "Swarms Technologies",
        "website": "https://www.swarms.com",
        "logo": "https://logo.swarms.com",
        "customer_id": "AB12CD34",
        "charity": True,
    }
    assert data["balance"] == {"available": "0.00", "frozen": "0.00", "currency": "EUR"}


def test_patch_me_changes_my_profile_and_creates_it_on_the_first_change():
    # given a user who has never changed their profile
    user = UserFactory(first_name="Jon")
    assert not Profile.objects.filter(user=user).exists()
    body = {
        "last_name": "Doe",
        "phone": "+1 (234) 567-89",
        "organization": "Swarms Technologies",
        "website": "www.swarms.com",
        "logo": "http://logo.swarms.com/a.png",
    }
    # when they change some fields
    response = token_client(user).patch("/api/v1/me/", body, format="json")
    # then those fields change, a bare host name is taken as https, and the rest stays
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["first_name"], data["last_name"], data["name"]) == ("Jon", "Doe", "Jon Doe")
    assert profile_of(user) == {
        "phone": "+1 (234) 567-89",
        "organization": "Swarms Technologies",
        "website": "https://www.swarms.com",
        "logo": "http://logo.swarms.com/a.png",
        "customer_id": "",
        "charity": False,
    }
    assert {field: data[field] for field in PROFILE_FIELDS} == profile_of(user)
    assert User.objects.get(pk=user.pk).last_name == "Doe"
    # and a second change touches only what it names
    response = token_client(user).patch("/api/v1/me", {"phone": ""}, format="json")
    assert response.status_code == 200
    assert profile_of(user)["phone"] == ""
    assert profile_of(user)["organization"] == "Swarms Technologies"


@pytest.mark.parametrize(
    "field, value",
    [
        ("website", "not a url"),
        ("website", "javascript:alert(1)"),
        ("logo", "ftp://logo.swarms.com/a.png"),
        ("logo", "https://"),
    ],
)
def test_patch_me_with_a_bad_url_is_400_naming_the_field_and_changes_nothing(field, value):
    # given a user with a profile
    user = UserFactory(first_name="Jon")
    Profile.objects.create(user=user, website="https://old.example.org", logo="https://old.example.org/l.png")
    before = profile_of(user)
    # when one field of the change is not a web address
    response = token_client(user).patch("/api/v1/me/", {"organization": "New", field: value}, format="json")
    # then the answer names the field and nothing is changed, not even the valid fields
    assert response.status_code == 400
    assert [seed_item(i) for i in response.json()["errors"]] == [
        {"code": "invalid-url", "message": "Enter a valid http or https URL.", "field": field}
    ]
    assert profile_of(user) == before


def test_patch_me_with_a_bad_phone_is_400_naming_the_field():
    user = UserFactory()
    response = token_client(user).patch("/api/v1/me/", {"phone": "call me"}, format="json")
    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [("invalid-phone", "phone")]
    assert not Profile.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("balance", {"available": "1000.00", "frozen": "0.00"}),
        ("commission_rate", "0.0000"),
        ("customer_id", "ME"),
        ("charity", True),
        ("roles", ["staff"]),
    ],
)
def test_patch_me_cannot_change_balances_commission_rate_or_staff_set_fields(field, value):
    # given a funded user with their own commission rate
    user = UserFactory()
    fund(user, "5")
    Wallet.objects.filter(user=user).update(commission_rate=D("0.3000"))
    # when they try to change a read-only field along with a profile field
    response = token_client(user).patch("/api/v1/me/", {"organization": "X", field: value}, format="json")
    # then it is refused as a whole
    assert response.status_code == 400
    assert [seed_item(i) for i in response.json()["errors"]] == [
        {"code": "read-only-field", "message": f"{field} cannot be changed here.", "field": field}
    ]
    assert balances(user) == (D("5"), D("0"))
    assert Wallet.objects.get(user=user).commission_rate == D("0.3000")
    assert profile_of(user) == profile_of(UserFactory())
    assert not User.objects.get(pk=user.pk).is_staff
    assert_money_invariants()


def test_patch_me_refuses_unknown_fields_and_needs_a_login(anon_client):
    user = UserFactory()
    response = token_client(user).patch("/api/v1/me/", {"is_staff": True}, format="json")
    assert response.status_code == 400
    assert seed_item(response.json()["errors"][0]) == {
        "code": "unknown-field",
        "message": "Unknown field is_staff.",
        "field": "is_staff",
    }
    assert not User.objects.get(pk=user.pk).is_staff
    assert anon_client.patch("/api/v1/me/", {"phone": "1"}, format="json").status_code == 401


def test_profile_update_service_refuses_staff_set_fields_and_changes_nothing():
    # given a user who has never changed their profile
    user = UserFactory(first_name="Jon")
    # when a caller passes a staff-set field to the service directly
    with pytest.raises(ValidationFailed) as refused:
        profile_update(user=user, first_name="Jane", customer_id="ME")
    # then it is refused, naming the field, and nothing is changed or created
    assert (refused.value.code, refused.value.field) == ("unknown-field", "customer_id")
    assert User.objects.get(pk=user.pk).first_name == "Jon"
    assert not Profile.objects.filter(user=user).exists()


def test_staff_see_and_edit_profiles_in_the_admin():
    # given a user with a profile, and a superuser in the admin
    user = UserFactory()
    profile = Profile.objects.create(user=user, organization="Swarms Technologies")
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", "root@example.org", "correct-horse"))
    # when the profiles are listed and searched, then the user's is there
    found = admin.get(reverse("admin:accounts_profile_changelist"), {"q": "Swarms"})
    assert list(found.context["cl"].result_list) == [profile]
    # and the user list can be searched by organization too
    found = admin.get(reverse("admin:auth_user_changelist"), {"q": "Swarms"})
    assert list(found.context["cl"].result_list) == [user]
    # when staff set the fields only they may set
    response = admin.post(
        reverse("admin:accounts_profile_change", args=[profile.pk]),
        {
            "phone": "+123456789",
            "organization": "Swarms Technologies",
            "website": "www.swarms.com",
            "logo": "",
            "customer_id": "AB12CD34",
            "charity": "on",
        },
    )
    # then they are stored, and the user sees them
    assert response.status_code == 302
    assert profile_of(user) == {
        "phone": "+123456789",
        "organization": "Swarms Technologies",
        "website": "https://www.swarms.com",
        "logo": "",
        "customer_id": "AB12CD34",
        "charity": True,
    }
    data = token_client(user).get("/api/v1/me/").json()["data"]
    assert (data["customer_id"], data["charity"]) == ("AB12CD34", True)
