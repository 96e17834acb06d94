from decimal import Decimal as D

import pytest

from accounts.models import LedgerEntry, Wallet
from results.models import Assignment, AssignmentState
from tests.factories import RequesterFactory, UserFactory
from tests.money.invariants import assert_money_invariants, balances
from tests.money.scenario import campaign_with_tasks, fund, submit_one

pytestmark = pytest.mark.django_db


def test_admin_approve_and_reject_actions(admin_client):
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=2)
    good, bad = submit_one(campaign), submit_one(campaign)
    url = "/admin/results/assignment/"
    response = admin_client.post(url, {"action": "approve_results", "_selected_action": [good.pk]})
    assert response.status_code == 302
    response = admin_client.post(url, {"action": "reject_results", "_selected_action": [bad.pk]})
    assert response.status_code == 302
    assert Assignment.objects.get(pk=good.pk).state == AssignmentState.APPROVED
    rejected = Assignment.objects.get(pk=bad.pk)
    assert rejected.state == AssignmentState.REJECTED and rejected.feedback.startswith(
        "Rejected by an administrator"
    )
    assert balances(good.worker) == (D("1.00"), D("0"))
    assert_money_invariants()


def test_admin_deposit_form_records_once(admin_client):
    user = UserFactory()
    wallet = Wallet.objects.create(user=user)
    url = f"/admin/accounts/wallet/{wallet.pk}/move/"
    assert admin_client.get(url).status_code == 200
    body = {"kind": "deposit", "amount": "15.00", "reason": "cash", "idempotency_key": "admin-x"}
    assert admin_client.post(url, body).status_code == 302
    assert admin_client.post(url, body).status_code == 302
    assert LedgerEntry.objects.count() == 1
    assert balances(user) == (D("15.00"), D("0"))
    assert admin_client.get(f"/admin/accounts/wallet/{wallet.pk}/change/").status_code == 200
    assert admin_client.get("/admin/accounts/ledgerentry/").status_code == 200
    assert_money_invariants()
