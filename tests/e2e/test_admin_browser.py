"""The admin in a real browser (the system Chromium) at 1280 px: what a person sees on the campaign list,
the assignment list and the batch upload's preview.

Set ``ADMIN_SCREENSHOTS`` to a folder to keep a picture of each page, for a look."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from accounts.wallets import wallet_set_commission_rate
from results.models import Assignment, AssignmentState
from tests.factories import CampaignFactory, ProjectFactory, TaskFactory, UserFactory
from tests.money.scenario import fund

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("ADMIN_SCREENSHOTS")
WIDTH = 1280


@pytest.fixture
def wide_page(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, base_url):
    User.objects.create_superuser("root", "root@example.org", "correct-horse")
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("correct-horse")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/admin/")


def snap(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def overflow(page, selector: str) -> dict:
    """How many pixels the page, and the list inside its scrolling box, reach past what is shown (0 when
    they fit: no sideways scrolling)."""
    return page.evaluate(
        """selector => {
            const box = document.querySelector(selector).closest('.results');
            return {page: document.documentElement.scrollWidth - window.innerWidth,
                    table: box.scrollWidth - box.clientWidth};
        }""",
        selector,
    )


def _assign(task, worker, state, now):
    Assignment.objects.create(
        task=task,
        campaign=task.campaign,
        worker=worker,
        state=state,
        accepted_at=now,
        expires_at=now + timedelta(hours=1),
        submitted_at=now if state != AssignmentState.ACCEPTED else None,
    )


def test_campaign_list_shows_progress_as_a_bar_with_a_percentage_and_fits_1280px(live_server, wide_page):
    # given a campaign of 4 tasks × 1 result with 1 result done, and one without any, with long names
    now = timezone.now()
    project = ProjectFactory(name="Does this picture contain a bicycle, a bus or a person?")
    half = CampaignFactory(project=project, name="Street pictures, second batch of the spring survey")
    tasks = [TaskFactory(campaign=half, position=i) for i in range(4)]
    half.tasks_count = 4
    half.save(update_fields=["tasks_count"])
    worker = UserFactory()
    _assign(tasks[0], worker, AssignmentState.SUBMITTED, now)
    _assign(tasks[1], worker, AssignmentState.ACCEPTED, now)
    CampaignFactory(project=project, name="Empty")
    page = wide_page

    # when the admin opens the campaign list on a 1280 px screen
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/campaigns/campaign/")
    snap(page, "campaign_list")

    # then each row shows a bar and its percentage, not the word "progress"
    row = page.locator("#result_list tbody tr", has_text="Street pictures")
    bar = row.locator("progress")
    assert bar.get_attribute("value") == "25"
    assert bar.is_visible()
    assert row.locator(".progress-cell").inner_text().strip() == "25%"
    empty = page.locator("#result_list tbody tr", has_text="Empty")
    assert empty.locator("progress").get_attribute("value") == "0"
    # and the bar leads to the campaign's progress page
    assert (
        row.locator(".progress-cell").get_attribute("href")
        == f"/admin/campaigns/campaign/{half.pk}/progress/"
    )
    # and neither the page nor the table reaches past the right edge
    assert overflow(page, "#result_list") == {"page": 0, "table": 0}

    # when the admin follows the bar, then the progress page shows the same figure
    row.locator(".progress-cell").click()
    page.wait_for_url(f"{live_server.url}/admin/campaigns/campaign/{half.pk}/progress/")
    snap(page, "campaign_progress")
    assert page.locator("#content-main progress").get_attribute("value") == "25"
    assert page.locator("#results").inner_text() == "1 / 4"


def test_assignment_list_fits_1280px(live_server, wide_page):
    # given assignments of a long-named campaign by a long-named worker
    now = timezone.now()
    campaign = CampaignFactory(name="Street pictures, second batch of the spring survey")
    worker = UserFactory(username="a-worker-with-a-rather-long-username")
    for i in range(3):
        _assign(TaskFactory(campaign=campaign, position=i), worker, AssignmentState.SUBMITTED, now)
    page = wide_page

    # when the admin opens the assignment list on a 1280 px screen
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/results/assignment/")
    snap(page, "assignment_list")

    # then it fits: no sideways scrolling
    assert page.locator("#result_list tbody tr").count() == 3
    assert overflow(page, "#result_list") == {"page": 0, "table": 0}


def test_upload_preview_shows_the_cost_and_the_wallet_and_real_buttons(
    live_server, wide_page, tmp_path, settings
):
    # given a requester's project, their wallet with 5.00 and a 10% commission
    settings.MEDIA_ROOT = tmp_path / "media"
    requester = UserFactory(username="ada")
    fund(requester, "5.00")
    wallet_set_commission_rate(user=requester, rate=Decimal("0.10"))
    ProjectFactory(
        owner=requester, name="Sentiment", html_template="<p>${text}</p>", template_fields=["text"]
    )
    csv = tmp_path / "batch.csv"
    csv.write_text("text\n" + "".join(f"row {i}\n" for i in range(3)))
    page = wide_page

    # when the admin uploads a 3-row CSV paying 1.00 for 2 results per task
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/campaigns/campaign/upload/")
    page.get_by_label("Project").select_option(label="Sentiment")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_label("Results per task").fill("2")
    page.get_by_label("Payment per result").fill("1.00")
    snap(page, "upload_form")
    page.get_by_role("button", name="Preview").click()
    page.locator("#batch-cost").wait_for()
    snap(page, "upload_preview")

    # then the preview shows payments 1.00 × 2 × 3 = 6.00, commission 0.60, 6.60 in all, from ada's wallet
    assert page.locator("#cost-payments").inner_text() == "6.00"
    assert page.locator("#cost-commission").inner_text() == "0.60"
    assert page.locator("#cost-total").inner_text() == "6.60"
    wallet = page.locator("#cost-wallet").inner_text()
    assert "wallet of ada" in wallet and "5.00 available" in wallet and "1.60 short" in wallet
    # and the two create buttons look like the admin's buttons: filled, padded, rounded
    for name in ("Create and publish", "Create and leave unpublished"):
        style = page.get_by_role("button", name=name).evaluate(
            """b => { const s = getComputedStyle(b);
                      return {bg: s.backgroundColor, pad: parseFloat(s.paddingLeft),
                              radius: parseFloat(s.borderTopLeftRadius), height: b.offsetHeight}; }"""
        )
        assert style["bg"] not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(239, 239, 239)"), (name, style)
        assert style["pad"] >= 10 and style["radius"] >= 4 and style["height"] >= 30, (name, style)

    # when the admin publishes anyway
    page.get_by_role("button", name="Create and publish").click()
    refused = page.locator("#publish-refused")
    refused.wait_for()
    snap(page, "upload_refused")

    # then it says whose wallet lacks what and how to fund it, and the upload is still there
    text = refused.inner_text()
    assert "wallet of ada" in text and "Deposit at least 1.60" in text
    assert page.locator("#preview tbody tr").count() == 3
    # and after a deposit, the same page publishes
    fund(requester, "1.60", key="top-up")
    page.get_by_role("button", name="Create and publish").click()
    page.wait_for_url(lambda url: "/progress/" in url)
    assert "published" in page.locator(".messagelist").inner_text()
