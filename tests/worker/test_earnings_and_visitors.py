"""The worker's money on the worker pages, what a visitor who has not logged in is told, and a preview
frame that does not look like it takes answers."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.wallets import wallet_adjust
from campaigns.models import CampaignState
from results.decisions import assignment_approve
from tests.factories import CampaignFactory, TaskFactory, UserFactory
from tests.money.invariants import assert_money_invariants
from tests.money.scenario import campaign_with_tasks, fund, submit_one

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _paid_and_pending(worker):
    """A campaign paying 1.50 per result: one of the worker's results approved, one still in review."""
    requester = UserFactory()
    fund(requester, "100.00")
    campaign = campaign_with_tasks(requester=requester, tasks=3, payment="1.50", rate="0.10")
    approved = submit_one(campaign, worker)
    assignment_approve(assignment_id=approved.pk, reviewer=requester)
    submit_one(campaign, worker)
    return campaign, approved


def test_the_home_page_shows_paid_pending_review_and_balance(db):
    # given a worker paid 1.50 for one result, with another of 1.50 in review, and 2.00 adjusted in
    worker = UserFactory()
    _paid_and_pending(worker)
    wallet_adjust(user=worker, amount="2.00", reason="Bonus", idempotency_key="bonus-1")

    # when the worker opens the home page
    response = _client(worker).get("/worker/")

    # then the earnings say 1.50 paid, 1.50 pending review and a balance of 3.50
    assert response.context["earnings"] == {
        "paid": Decimal("1.50"),
        "pending": Decimal("1.50"),
        "balance": Decimal("3.50"),
        "currency": "EUR",
    }
    page = response.content.decode()
    assert 'id="earned-paid">1.50 ' in page
    assert 'id="earned-pending">1.50 ' in page
    assert 'id="earned-balance">3.50 ' in page
    assert 'href="/worker/payments/"' in page
    assert_money_invariants()


def test_a_new_worker_has_zero_earnings_and_no_wallet_is_made(db):
    worker = UserFactory()

    response = _client(worker).get("/worker/")

    assert response.context["earnings"]["paid"] == Decimal("0.00")
    assert response.context["earnings"]["balance"] == Decimal("0.00")
    assert not hasattr(worker, "wallet") or worker.wallet is None


def test_the_payments_page_lists_payments_and_adjustments_newest_first_with_their_campaign(db):
    # given a worker paid for one result, then corrected by -0.50
    worker = UserFactory()
    campaign, approved = _paid_and_pending(worker)
    wallet_adjust(user=worker, amount="-0.50", reason="Duplicate answer", idempotency_key="fix-1")

    # when the worker opens the payments page
    response = _client(worker).get("/worker/payments/")

    # then it lists the correction, then the payment for the campaign's result
    rows = [
        (e.kind, e.change, e.campaign_name, e.assignment_id) for e in response.context["page"].object_list
    ]
    assert rows == [
        ("adjust", Decimal("-0.50"), "", None),
        ("payment", Decimal("1.50"), campaign.name, approved.pk),
    ]
    page = response.content.decode()
    assert "+1.50" in page and "-0.50" in page and "Duplicate answer" in page


def test_the_payments_page_shows_only_the_workers_own_money(db):
    # given someone else's payment
    _paid_and_pending(UserFactory())
    worker = UserFactory()

    # when a worker without payments opens the page
    response = _client(worker).get("/worker/payments/")

    # then the list is empty and says so
    assert list(response.context["page"].object_list) == []
    assert "No payments yet" in response.content.decode()


def test_the_payments_page_needs_a_login(db):
    response = Client().get("/worker/payments/")

    assert response.status_code == 302
    assert response["Location"].startswith("/worker/login/")


def test_a_visitor_is_told_there_is_work_for_logged_in_workers_and_asked_to_log_in(db):
    # given two active campaigns that need a login, one restricted, and one closed
    CampaignFactory(login_required=True)
    CampaignFactory(login_required=True, restricted=True)
    CampaignFactory(login_required=True, state=CampaignState.PAUSED)

    # when a visitor opens the home page
    response = Client().get("/worker/")

    # then they are told one campaign takes work from logged-in workers and asked to log in
    page = response.content.decode()
    assert response.context["for_logged_in"] == 1
    assert "There is no work for you right now" not in page
    assert "There is work here: 1 campaign takes work from logged-in workers." in page
    assert 'href="/worker/login/"' in page


def test_a_visitor_is_asked_to_log_in_when_nothing_is_open_without_one(db):
    # given only a restricted campaign
    CampaignFactory(login_required=True, restricted=True)

    response = Client().get("/worker/")

    page = response.content.decode()
    assert "There is no work for you right now" not in page
    assert "No campaign takes work without a login right now." in page


def test_a_logged_in_worker_without_work_is_told_so(db):
    response = _client(UserFactory()).get("/worker/")

    assert "There is no work for you right now" in response.content.decode()
    assert "login-invite" not in response.content.decode()


def test_the_preview_frame_switches_its_submit_buttons_off(db):
    # given a task whose template has its own Submit button
    worker = UserFactory()
    campaign = CampaignFactory(project__html_template='<p>${text}</p><input type="submit" value="Submit">')
    task = TaskFactory(campaign=campaign, input={"text": "hello"})

    # when the worker's browser loads the preview frame
    html = _client(worker).get(f"/worker/tasks/{task.pk}/frame/").content.decode()

    # then the frame greys the button out and disables it
    assert "input[type=submit]" in html and "pointer-events:none" in html
    assert "el.disabled = true" in html
