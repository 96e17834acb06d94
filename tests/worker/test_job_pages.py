"""The job pages without a browser: what the server renders and how it answers the page's posts."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from projects.models import Screen
from results.claim import assignment_claim_next
from results.models import Assignment, AssignmentState
from worker.views import JOB_CSP

from .jobs import job_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def job_assignment(worker):
    campaign = job_campaign()
    return assignment_claim_next(campaign_id=campaign.pk, worker=worker)


def test_a_job_page_shows_its_screens_one_at_a_time_under_a_strict_policy(job_assignment, worker_browser):
    # when the worker opens an accepted job
    response = worker_browser.get(f"/worker/assignments/{job_assignment.pk}/")
    html = response.content.decode()
    # then the page holds its three screens, the first one shown, and "screen 1 of 3"
    assert response.status_code == 200
    assert response.templates[0].name == "worker/job.html"
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).count("Screen 1 of 3") == 1
    sections = re.findall(r'<section class="screen card"[^>]*>', html)
    assert len(sections) == 3
    assert [" hidden" in s for s in sections] == [False, True, True]
    # and every component type has its own markup, with its place on its screen
    for kind in ("Rating", "Stepper", "Toggle", "TextInput", "BinaryChoice", "ImageMarker", "VideoRecording"):
        assert f'data-type="{kind}"' in html
    assert 'data-type="Rating" data-index="7" data-interactive data-required' in html
    # and no script can be brought in by the page's own content
    assert response["Content-Security-Policy"] == JOB_CSP
    assert "script-src 'self';" in JOB_CSP
    assert response["Cache-Control"] == "no-store"


def test_html_text_is_sanitised_again_as_it_is_shown(job_assignment, worker_browser):
    # given a screen whose stored Html text holds a script (written around the checks that refuse it)
    screen = Screen.objects.get(name="Count")
    components = list(screen.components)
    components[6] = {
        "type": "Text",
        "style": "Html",
        "text": '<p onclick="x()">Hi<script>steal()</script></p>',
    }
    Screen.objects.filter(pk=screen.pk).update(components=components)
    # when the page is shown
    html = worker_browser.get(f"/worker/assignments/{job_assignment.pk}/").content.decode()
    # then the markup is there without the script or its handler
    assert '<div class="text-html"><p>Hi</p></div>' in html
    assert "steal()" not in html
    assert "onclick" not in html


def test_the_preview_of_a_job_shows_every_screen_inert(worker_browser, worker):
    campaign = job_campaign()
    response = worker_browser.get(f"/worker/campaigns/{campaign.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="job job-preview" inert>' in html
    assert len(re.findall(r'<section class="screen card"[^>]*hidden', html)) == 0
    assert "Screen 3 of 3" in html
    assert "Accept this job" in html


def post_answers(client, assignment, body, **extra):
    return client.post(
        f"/worker/assignments/{assignment.pk}/answers/",
        data=json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
        **extra,
    )


def test_answers_that_are_not_json_are_refused_and_nothing_changes(job_assignment, worker_browser):
    response = post_answers(worker_browser, job_assignment, "{not json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid-json"
    assert Assignment.objects.get(pk=job_assignment.pk).state == AssignmentState.ACCEPTED


def test_answers_without_a_session_are_refused_in_json(job_assignment):
    response = post_answers(Client(), job_assignment, {"answers": {"screens": []}})
    assert (response.status_code, response.json()["code"]) == (401, "not-authenticated")
    assert Assignment.objects.get(pk=job_assignment.pk).state == AssignmentState.ACCEPTED


def test_answers_need_the_csrf_token(job_assignment, worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    response = post_answers(client, job_assignment, {"answers": {"screens": []}})
    assert response.status_code == 403
    assert Assignment.objects.get(pk=job_assignment.pk).state == AssignmentState.ACCEPTED


def good_answers(assignment) -> dict:
    """Answers to every screen of the job of every component. Its recordings and drawing are made
    optional and left out: the media checks have tests of their own, and the browser tests upload real ones.
    """
    from worker.selectors import job_screens

    screens = job_screens(job_id=assignment.task.job_id)
    media = ("AudioRecording", "VideoRecording", "ImageMarker")
    for screen in screens:
        components = [dict(c, optionalResult=True) if c["type"] in media else c for c in screen.components]
        Screen.objects.filter(pk=screen.pk).update(components=components)
    results = [
        {"4": {"selectedOption": "Yes"}, "5": {"selectedOption": "park"}, "7": {"rating": 2.5}},
        {"2": {"result": 6}, "3": {"checked": False}, "4": {"text": "rain"}},
        {},
    ]
    return {
        "screens": [
            {
                "screen": s.pk,
                "startedAt": "2026-03-01T10:00:00Z",
                "completedAt": "2026-03-01T10:00:30Z",
                "results": r,
            }
            for s, r in zip(screens, results, strict=True)
        ]
    }


def test_answers_that_fit_their_components_are_submitted_and_the_worker_goes_home(
    job_assignment, worker, worker_browser
):
    # given answers to every component
    answers = good_answers(job_assignment)
    # when the page posts them
    response = post_answers(worker_browser, job_assignment, {"answers": answers})
    # then they are stored as sent and the page is told to go home, where the thanks are shown
    assert (response.status_code, response.json()) == (200, {"redirect": "/worker/"})
    stored = Assignment.objects.get(pk=job_assignment.pk)
    assert stored.state == AssignmentState.SUBMITTED
    assert stored.answers["screens"][0]["results"]["7"] == {"rating": 2.5}
    assert "your answers were submitted" in worker_browser.get("/worker/").content.decode()


def test_an_answer_that_does_not_fit_is_refused_at_its_component_and_nothing_changes(
    job_assignment, worker_browser
):
    # given a rating of 2.7 stars where only whole and half stars exist
    answers = good_answers(job_assignment)
    answers["screens"][0]["results"]["7"] = {"rating": 2.7}
    # when the page posts it
    response = post_answers(worker_browser, job_assignment, {"answers": answers})
    # then it is refused with the place of the component at fault, which the page shows there
    body = response.json()
    assert response.status_code == 400
    assert (body["code"], body["field"]) == ("off-step", "answers.screens[0].results[7].rating")
    assert "redirect" not in body
    stored = Assignment.objects.get(pk=job_assignment.pk)
    assert (stored.state, stored.answers) == (AssignmentState.ACCEPTED, {})


def test_answers_after_the_time_is_up_send_the_worker_home_with_the_reason(job_assignment, worker_browser):
    # given an assignment whose time ran out
    Assignment.objects.filter(pk=job_assignment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    answers = good_answers(job_assignment)
    # when the page posts its answers
    response = post_answers(worker_browser, job_assignment, {"answers": answers})
    # then the page is sent home, where the reason is shown, and nothing is stored
    body = response.json()
    assert (response.status_code, body["code"], body["redirect"]) == (409, "assignment-expired", "/worker/")
    assert "time allowed for this assignment has run out" in worker_browser.get("/worker/").content.decode()
    assert Assignment.objects.get(pk=job_assignment.pk).answers == {}


def test_a_soft_rejected_job_reopens_with_the_answers_sent_before(job_assignment, worker_browser):
    # given a job that was sent, then sent back to be redone
    answers = {"screens": [{"screen": 1, "results": {"4": {"selectedOption": "No"}}}]}
    Assignment.objects.filter(pk=job_assignment.pk).update(
        state=AssignmentState.SOFT_REJECTED,
        answers=answers,
        feedback="Look **again**",
        redo_until=timezone.now() + timedelta(hours=1),
    )
    # when the worker opens it
    html = worker_browser.get(f"/worker/assignments/{job_assignment.pk}/").content.decode()
    # then the page holds the earlier answers for its script to put back, and the feedback
    earlier = re.search(r'<script id="job-earlier-answers" type="application/json">(.*?)</script>', html)
    assert json.loads(earlier.group(1)) == answers
    assert "Look <strong>again</strong>" in html
    assert "Redo requested" in html


def test_components_are_shown_with_their_defaults_filled_in(worker, worker_browser):
    # given a screen that leaves out the attributes with defaults (a Video plays its sound by default, a
    # Stepper starts at its min, a Text is plain) and one that sets them
    screens = [
        (
            "Defaults",
            [
                {"type": "Video", "url": "/static/demo/film.webm"},
                {"type": "Stepper", "min": 3, "max": 9},
                {"type": "Text", "text": "Plain <b>text</b>"},
            ],
        ),
        ("Set", [{"type": "Video", "url": "/static/demo/film.webm", "playAudio": False, "repeat": True}]),
    ]
    campaign = job_campaign(screens=screens)
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    # when the page is shown
    html = worker_browser.get(f"/worker/assignments/{assignment.pk}/").content.decode()
    videos = re.findall(r"<video class=\"media\"[^>]*>", html)
    # then the first video has its sound and no loop, the second is muted and loops
    assert " muted" not in videos[0] and " loop" not in videos[0]
    assert " muted" in videos[1] and " loop" in videos[1]
    # and the stepper starts at its min with a step of 1, and the text is escaped plain text
    assert 'data-min="3" data-max="9" data-step="1" data-start="3"' in html
    assert '<div class="text-plain"><p>Plain &lt;b&gt;text&lt;/b&gt;</p></div>' in html
