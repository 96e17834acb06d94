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
    # and approving the approved result again says so, and pays nothing more
    again = admin_client.post(url, {"action": "approve_results", "_selected_action": [good.pk]}, follow=True)
    shown = [str(m) for m in again.context["messages"]]
    assert shown[-1] == "1 result(s) were approved already."
    assert shown.count("1 result(s) approved.") == 1  # the first approval's, not this one's
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


def test_admin_soft_reject_action_asks_for_a_reason_and_a_deadline_then_sends_the_results_back(admin_client):
    # given two results in review
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=2)
    first, second = submit_one(campaign), submit_one(campaign)
    url = "/admin/results/assignment/"
    selection = {"action": "soft_reject_results", "_selected_action": [first.pk, second.pk]}
    # when the admin picks the action, a form asks for the reason and the deadline, and nothing changes yet
    form = admin_client.post(url, selection)
    assert form.status_code == 200
    assert b'name="reason"' in form.content and b'name="until"' in form.content
    assert set(Assignment.objects.values_list("state", flat=True)) == {AssignmentState.SUBMITTED}
    # and a submit without a reason shows the form again, still changing nothing
    again = admin_client.post(url, {**selection, "apply": "1", "reason": "", "until": "2099-01-01 12:00"})
    assert again.status_code == 200 and b"This field is required" in again.content
    assert set(Assignment.objects.values_list("state", flat=True)) == {AssignmentState.SUBMITTED}
    # and a deadline in the past is refused on the form, which keeps the reason typed
    past = admin_client.post(
        url, {**selection, "apply": "1", "reason": "Kept reason", "until": "2001-01-01 12:00"}
    )
    assert past.status_code == 200 and b"The deadline must be in the future." in past.content
    assert b"Kept reason" in past.content
    assert set(Assignment.objects.values_list("state", flat=True)) == {AssignmentState.SUBMITTED}
    # when the form is filled in
    done = admin_client.post(
        url, {**selection, "apply": "1", "reason": "Please **redo** the label.", "until": "2099-01-01 12:00"}
    )
    # then both results go back to their workers with the reason and deadline, and no money moves
    assert done.status_code == 302
    rows = set(Assignment.objects.values_list("state", "feedback", "redo_until__year"))
    assert rows == {(AssignmentState.SOFT_REJECTED, "Please **redo** the label.", 2099)}
    assert balances(first.worker) == (D("0"), D("0"))
    assert_money_invariants()


def test_admin_overturn_action_pays_a_rejected_result(admin_client):
    # given a rejected result
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=1)
    result = submit_one(campaign)
    url = "/admin/results/assignment/"
    admin_client.post(url, {"action": "reject_results", "_selected_action": [result.pk]})
    # when the admin overturns it
    response = admin_client.post(url, {"action": "overturn_rejections", "_selected_action": [result.pk]})
    # then it is approved and the worker is paid, once
    assert response.status_code == 302
    assert Assignment.objects.get(pk=result.pk).state == AssignmentState.APPROVED
    assert balances(result.worker) == (D("1.00"), D("0"))
    assert_money_invariants()


def test_admin_adjust_form_moves_money_with_a_reason_once(admin_client):
    # given a user with 15.00
    user = UserFactory()
    wallet = Wallet.objects.create(user=user)
    url = f"/admin/accounts/wallet/{wallet.pk}/move/"
    admin_client.post(url, {"kind": "deposit", "amount": "15.00", "reason": "cash", "idempotency_key": "d-1"})
    # when staff adjust it down by 5.00 (sent twice with the same key)
    body = {"kind": "adjust", "amount": "-5.00", "reason": "refund", "idempotency_key": "adj-1"}
    assert admin_client.post(url, body).status_code == 302
    assert admin_client.post(url, body).status_code == 302
    # then the balance moved once, with the reason in the ledger
    assert balances(user) == (D("10.00"), D("0"))
    assert list(LedgerEntry.objects.filter(kind="adjust").values_list("reason", flat=True)) == ["refund"]
    assert_money_invariants()
