"""The worker pages in a real browser (the system Chromium): earnings on the home page, what a visitor who
has not logged in is told, and a preview whose frame has no Submit that looks live.

Set ``WORKER_SCREENSHOTS`` to a folder to keep a picture of each page, for a look."""

import os
from pathlib import Path

import pytest

from results.decisions import assignment_approve
from tests.factories import CampaignFactory, UserFactory
from tests.money.scenario import campaign_with_tasks, fund, submit_one

from .test_worker_browser import image_campaign, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("WORKER_SCREENSHOTS")


def snap(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_the_home_page_shows_the_workers_earnings_and_leads_to_the_payments(live_server, page):
    # given a worker with one result approved at 2.00 and one in review at 2.00
    requester, worker = UserFactory(), UserFactory()
    fund(requester, "50.00")
    campaign = campaign_with_tasks(requester=requester, tasks=3, payment="2.00", rate="0")
    assignment_approve(assignment_id=submit_one(campaign, worker).pk, reviewer=requester)
    submit_one(campaign, worker)

    # when the worker logs in
    log_in(page, live_server.url, worker)
    snap(page, "worker_home")

    # then the home page shows what was paid, what waits for review and the balance
    earnings = page.locator("dl.earnings")
    assert earnings.is_visible()
    assert earnings.locator("#earned-paid").inner_text() == "2.00 EUR"
    assert earnings.locator("#earned-pending").inner_text() == "2.00 EUR"
    assert earnings.locator("#earned-balance").inner_text() == "2.00 EUR"

    # and its link shows the payment, for the campaign
    page.get_by_role("link", name="Payments").first.click()
    page.wait_for_url(f"{live_server.url}/worker/payments/")
    snap(page, "worker_payments")
    row = page.locator("table.payments tbody tr")
    assert row.count() == 1
    assert campaign.name in row.inner_text() and "+2.00" in row.inner_text()


def test_a_visitor_is_told_there_is_work_and_asked_to_log_in(live_server, page):
    # given an active campaign that needs a login
    CampaignFactory(login_required=True, name="Pictures")

    # when someone who has not logged in opens the worker pages
    page.goto(f"{live_server.url}/worker/")
    snap(page, "visitor_home")

    # then they read that there is work for logged-in workers, with a button to log in, not "no work"
    invite = page.locator("#login-invite")
    assert invite.is_visible()
    assert "There is work here: 1 campaign takes work from logged-in workers." in invite.inner_text()
    assert page.get_by_text("There is no work for you right now").count() == 0
    invite.get_by_role("link", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/worker/login/")


def test_the_preview_frame_has_no_live_looking_submit(live_server, page):
    # given the real image_contains campaign, whose template has its own Submit button
    campaign = image_campaign()
    worker = UserFactory()

    # when the worker previews its next task
    log_in(page, live_server.url, worker)
    page.goto(f"{live_server.url}/worker/campaigns/{campaign.pk}/")
    frame = page.frame_locator("iframe[title='Task preview']")
    frame.get_by_role("heading", name="Does this picture contain a bicycle?").wait_for()
    snap(page, "worker_preview")

    # then the frame's Submit is disabled and greyed out, and the page says how to answer
    submit = frame.get_by_role("button", name="Submit")
    assert submit.is_disabled()
    assert float(submit.evaluate("b => getComputedStyle(b).opacity")) < 0.6
    assert page.get_by_text("This is a preview: its form cannot be sent.").is_visible()
