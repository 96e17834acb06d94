"""A worker in a real browser (the system Chromium): the task flow, and the sandbox around requester HTML."""

import io
import os
import re
from pathlib import Path

import pytest

from projects.templating import template_fields
from results.models import Assignment, AssignmentState
from tasks.ingest import tasks_ingest_csv
from tests.factories import CampaignFactory, ProjectFactory, TaskFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parent / "examples"
SCREENSHOT = os.environ.get("WORKER_SCREENSHOT")  # a path to save a picture of the task page, for a look


def log_in(page, base_url, user):
    page.goto(f"{base_url}/worker/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct-horse")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/worker/")


def next_assignment(page, after: int | None = None) -> int:
    """Wait until the browser shows an assignment page other than ``after``; its id."""

    def is_next(url: str) -> bool:
        match = re.search(r"/worker/assignments/(\d+)/$", url)
        return bool(match) and int(match.group(1)) != after

    page.wait_for_url(is_next)
    return int(re.search(r"/assignments/(\d+)/$", page.url).group(1))


def image_campaign():
    """The real image_contains project, and a campaign of its 7-row CSV batch."""
    html = (EXAMPLES / "image_contains.html").read_text()
    project = ProjectFactory(html_template=html, template_fields=template_fields(html))
    campaign = CampaignFactory(project=project, name="Pictures")
    with open(EXAMPLES / "image_contains.csv", "rb") as stream:
        tasks_ingest_csv(campaign=campaign, stream=stream, filename="image_contains.csv")
    return campaign


def test_worker_accepts_fills_submits_returns_and_skips(live_server, page):
    # given the real image_contains project with its CSV batch, and a worker
    image_campaign()
    worker = UserFactory()
    base = live_server.url

    # when the worker logs in, turns auto-accept on and accepts the next task
    log_in(page, base, worker)
    assert page.get_by_text("7 tasks available").is_visible()
    page.get_by_role("switch").click()
    page.get_by_role("button", name="Accept next").click()
    first = next_assignment(page)

    # and fills the template's form inside the frame and submits it
    frame = page.frame_locator("iframe[title=Task]")
    frame.get_by_role("heading", name="Does this picture contain a bicycle?").wait_for()
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)
    # and the countdown to the time limit runs (an hour allowed: it shows 59 minutes and some seconds)
    left = page.locator(".countdown .left")
    shown = left.inner_text()
    assert re.fullmatch(r"\((59:[0-5]\d|1:00:00) left\)", shown), shown
    page.wait_for_function(
        "shown => document.querySelector('.countdown .left').textContent !== shown", arg=shown, timeout=5000
    )
    frame.get_by_label("Yes").check()
    frame.get_by_label("a person").check()
    frame.get_by_label("a vehicle").check()
    frame.get_by_label("Comment (optional)").fill("Red bicycle, next to a bus")
    frame.get_by_role("button", name="Submit").click()

    # then they land on the next task, told that the answers were sent
    second = next_assignment(page, after=first)
    assert page.get_by_text("your answers were submitted").is_visible()
    page.frame_locator("iframe[title=Task]").get_by_role(
        "heading", name="Does this picture contain a dog?"
    ).wait_for()

    # when they return this one, then skip the one after
    page.get_by_role("button", name="Return").click()
    third = next_assignment(page, after=second)
    page.get_by_role("button", name="Skip").click()
    fourth = next_assignment(page, after=third)

    # then the database holds exactly that story
    rows = {
        a.pk: (a.task.position, a.state, a.answers)
        for a in Assignment.objects.filter(worker=worker).select_related("task")
    }
    assert rows == {
        first: (
            1,
            AssignmentState.SUBMITTED,
            {"contains": "yes", "also": ["person", "vehicle"], "comment": "Red bicycle, next to a bus"},
        ),
        second: (2, AssignmentState.RETURNED, {}),
        third: (3, AssignmentState.SKIPPED, {}),
        fourth: (4, AssignmentState.ACCEPTED, {}),
    }


SNOOPING_TEMPLATE = """
<p>Task ${text}</p>
<input type="hidden" name="cookie" id="cookie" value="pending">
<input type="hidden" name="api" id="api" value="pending">
<script>
  try { document.getElementById("cookie").value = "read:" + document.cookie; }
  catch (e) { document.getElementById("cookie").value = "blocked:" + e.name; }
  var api = document.getElementById("api");
  try {
    fetch("/api/v1/work/assignments/", {credentials: "include"})
      .then(function (r) { return r.text().then(function (t) { api.value = "status " + r.status + ":" + t; }); })
      .catch(function (e) { api.value = "blocked:" + e.name; })
      .then(function () { document.body.setAttribute("data-done", "1"); });
  } catch (e) { api.value = "blocked:" + e.name; document.body.setAttribute("data-done", "1"); }
</script>
<input type="submit" value="Send">
"""


def test_a_template_cannot_read_the_session_cookie_or_call_the_api_as_the_worker(live_server, page):
    # given a template whose script tries to read the cookies and call the API with the worker's session
    project = ProjectFactory(html_template=SNOOPING_TEMPLATE, template_fields=["text"])
    campaign = CampaignFactory(project=project)
    TaskFactory(campaign=campaign)
    worker = UserFactory()
    base = live_server.url
    log_in(page, base, worker)
    assert any(c["name"] == "sessionid" for c in page.context.cookies())
    # (from the platform's own pages the same call works, so a refusal below is the sandbox's doing)
    assert page.evaluate("fetch('/api/v1/work/assignments/').then(r => r.status)") == 200

    # when the worker opens the task and submits what the script gathered
    page.get_by_role("button", name="Accept next").click()
    assignment_id = next_assignment(page)
    page.locator("iframe[title=Task]").wait_for()
    frame = page.frame_locator("iframe[title=Task]")
    frame.locator("body[data-done='1']").wait_for()
    frame.get_by_role("button", name="Send").click()
    page.wait_for_url(f"{base}/worker/")

    # then the script saw no cookie and no API data
    answers = Assignment.objects.get(pk=assignment_id).answers
    assert answers["cookie"] == "blocked:SecurityError"
    assert answers["api"].startswith("blocked:")
    assert worker.username not in answers["api"]


def test_the_quick_start_demo_task_shows_its_picture(live_server, page, tmp_path):
    # given the quick start's demo data
    from django.core.management import call_command

    call_command("seed_demo", summary_file=str(tmp_path / "quickstart.txt"), stdout=io.StringIO())
    base = live_server.url
    # when worker1 logs in with the printed password and accepts the first task
    page.goto(f"{base}/worker/login/")
    page.get_by_label("Username").fill("worker1")
    page.get_by_label("Password").fill("worker1-demo-pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/worker/")
    page.get_by_role("button", name="Accept next").first.click()  # the picture campaign is listed first
    next_assignment(page)
    # then the task's picture, served by the platform, has loaded inside the sandboxed frame
    frame = page.frame_locator("iframe[title=Task]")
    frame.get_by_role("heading", name="Does this picture contain a bicycle?").wait_for()
    picture = frame.get_by_role("img", name="picture to judge")
    # (decode() waits for the picture and fails if it cannot be loaded)
    assert picture.evaluate("img => img.decode().then(() => img.naturalWidth, () => 0)") == 480


def test_the_task_page_switch_keeps_the_answers_and_the_frame_shows_whole(live_server, page):
    # given the image_contains project with its batch, and a worker on a phone-sized window
    image_campaign()
    worker = UserFactory()
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 700})
    log_in(page, base, worker)
    page.get_by_role("button", name="Accept next").click()
    first = next_assignment(page)
    frame = page.frame_locator("iframe[title=Task]")
    frame.get_by_role("heading", name="Does this picture contain a bicycle?").wait_for()

    # then the frame is as tall as the template, Submit included, with no scroll inside it, and stays so
    iframe = page.locator("iframe[title=Task]")
    page.wait_for_function("() => document.querySelector('iframe[title=Task]').classList.contains('sized')")
    content = frame.locator("body").evaluate("el => el.getBoundingClientRect().height")
    sized = iframe.bounding_box()["height"]
    assert abs(sized - content) <= 2
    assert frame.locator("html").evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    page.wait_for_timeout(500)
    assert iframe.bounding_box()["height"] == sized

    # when the worker fills the form, then turns auto-accept on from the task page
    frame.get_by_label("Yes").check()
    frame.get_by_label("Comment (optional)").fill("kept")
    switch = page.get_by_role("switch")
    assert switch.get_attribute("aria-checked") == "false"
    switch.click()
    page.wait_for_function(
        "() => document.querySelector('[role=switch]').getAttribute('aria-checked') === 'true'"
    )

    # then the page did not reload: the answers are still there
    assert frame.get_by_label("Comment (optional)").input_value() == "kept"
    assert frame.get_by_label("Yes").is_checked()
    # and the submit follows the switch as it is now: straight to the next task
    frame.get_by_role("button", name="Submit").click()
    second = next_assignment(page, after=first)
    assert Assignment.objects.get(pk=first).answers["comment"] == "kept"
    assert Assignment.objects.get(pk=second).state == AssignmentState.ACCEPTED
