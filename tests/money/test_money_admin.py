from decimal import Decimal as D

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from accounts import wallets
from accounts.models import Wallet
from tests.factories import UserFactory

from .invariants import balances
from .scenario import fund

pytestmark = pytest.mark.django_db


def _admin() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "correct-horse"))
    return client


def test_the_admin_changes_a_commission_rate_through_its_service(monkeypatch):
    # given a funded user's wallet
    user = UserFactory()
    fund(user, "7")
    wallet = Wallet.objects.get(user=user)
    calls = []
    service = wallets.wallet_set_commission_rate
    monkeypatch.setattr(wallets, "wallet_set_commission_rate", lambda **kw: calls.append(kw) or service(**kw))
    # when staff set its commission rate in the admin
    url = reverse("admin:accounts_wallet_change", args=[wallet.pk])
    response = _admin().post(url, {"commission_rate": "0.15"})
    # then the service set it, and the balances were left as they were
    assert response.status_code == 302
    assert calls == [{"user": user, "rate": D("0.15")}]
    assert Wallet.objects.get(pk=wallet.pk).commission_rate == D("0.15")
    assert balances(user) == (D("7"), D("0"))


def test_a_rate_out_of_range_is_shown_as_a_form_error_and_changes_nothing():
    user = UserFactory()
    wallet = Wallet.objects.get(pk=fund(user, "1")[0].to_wallet_id)
    url = reverse("admin:accounts_wallet_change", args=[wallet.pk])
    response = _admin().post(url, {"commission_rate": "1.5"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Wallet.objects.get(pk=wallet.pk).commission_rate is None
