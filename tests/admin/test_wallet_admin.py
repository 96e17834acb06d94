"""A wallet's commission rate changes in the admin through the money service, as through the API."""

from decimal import Decimal

from django.urls import reverse

from accounts import ledger, wallets
from accounts.models import Wallet
from tests.factories import UserFactory
from tests.money.scenario import fund


def _spy_rate(monkeypatch) -> list[dict]:
    calls, real = [], wallets.wallet_set_commission_rate

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(wallets, "wallet_set_commission_rate", spy)
    return calls


def test_a_rate_set_in_the_admin_goes_through_the_service_and_leaves_balances_alone(
    admin_client, monkeypatch
):
    # given a funded user's wallet
    user = UserFactory()
    fund(user, "10.00")
    wallet = Wallet.objects.get(user=user)
    calls = _spy_rate(monkeypatch)

    # when the admin sets its rate to 15%
    response = admin_client.post(
        reverse("admin:accounts_wallet_change", args=[wallet.pk]), {"commission_rate": "0.15"}
    )

    # then the service wrote it, and the balance is as it was
    assert response.status_code == 302
    assert calls == [{"user": user, "rate": Decimal("0.15")}]
    wallet.refresh_from_db()
    assert (wallet.commission_rate, wallet.available) == (Decimal("0.1500"), Decimal("10.00"))


def test_a_system_wallets_rate_cannot_be_set(admin_client):
    # given the platform's wallet
    platform = ledger.system_wallet(Wallet.Kind.PLATFORM)

    # when its page is shown, then the rate is not a field one can change
    form = (
        admin_client.get(reverse("admin:accounts_wallet_change", args=[platform.pk]))
        .context["adminform"]
        .form
    )
    assert "commission_rate" not in form.fields
