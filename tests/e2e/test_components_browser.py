"""A worker doing a job of component screens in a real browser (the system Chromium with fake camera and
microphone): every interactive component used for real, back and forward, submit; then the requester
sees the results, approves, and the worker is paid."""

import io
import math
import os
import re
import wave
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from accounts.ledger import wallet_for_user
from results.models import Assignment, AssignmentState
from tests.conftest import token_client
from tests.factories import RequesterFactory
from tests.worker.jobs import job_campaign, screens_of_every_component

from .conftest import CHROMIUM, CHROMIUM_ARGS
from .test_worker_browser import log_in, next_assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("JOB_SCREENSHOTS")  # a folder to save pictures of each screen in, for a look
MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def media_browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + MEDIA_ARGS)
    yield browser
    browser.close()


def new_page(browser, width: int, height: int):
    context = browser.new_context(
        viewport={"width": width, "height": height}, permissions=["microphone", "camera"]
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def shot(page, name: str):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def screen_shown(page, number: int):
    page.locator(".job-current", has_text=str(number)).wait_for()
    return page.locator(f".screen[data-screen='{number - 1}']")


@pytest.mark.parametrize("width,height", [(1100, 900), (390, 844)], ids=["laptop", "phone"])
def test_a_worker_does_a_job_of_every_component(live_server, media_browser, width, height, worker):
    # given a campaign publishing a job of three screens that uses every interactive component
    campaign = job_campaign()
    base = live_server.url
    page = new_page(media_browser, width, height)
    log_in(page, base, worker)

    # when the worker accepts it
    page.get_by_role("button", name="Accept next").click()
    assignment_id = next_assignment(page)
    first = screen_shown(page, 1)
    assert page.locator(".job-step").inner_text() == "Screen 1 of 3"
    shot(page, f"{width}-1")

    # and tries to go on without answering: the page says what is missing, and stays
    page.get_by_role("button", name="Next").click()
    assert first.locator(".component-problem:visible").count() == 3
    assert page.locator(".job-step").inner_text() == "Screen 1 of 3"

    # and chooses, picks a picture and rates three and a half stars (the left half of the fourth star)
    first.get_by_role("button", name="Yes").click()
    first.get_by_role("button", name="Park").click()
    star = first.locator(".star[data-star='4']")
    box = star.bounding_box()
    star.click(position={"x": box["width"] * 0.25, "y": box["height"] / 2})
    assert first.get_by_role("slider").get_attribute("aria-valuenow") == "3.5"
    assert first.locator(".component-problem:visible").count() == 0
    shot(page, f"{width}-1-answered")
    page.get_by_role("button", name="Next").click()

    # and on the second screen steps up past the top and down again, toggles, reads the help and types
    second = screen_shown(page, 2)
    up, down = second.get_by_role("button", name="Increase"), second.get_by_role("button", name="Decrease")
    for _ in range(3):
        up.click()
    assert second.get_by_role("spinbutton").inner_text() == "10"
    assert up.is_disabled()
    down.click()
    second.get_by_role("switch").check(force=True)
    second.get_by_role("button", name=re.compile("What does")).click()
    dialog = second.get_by_role("dialog")
    assert "read the signs" in dialog.inner_text()
    shot(page, f"{width}-2-explanation")
    dialog.get_by_role("button", name="Got it").click()
    assert not dialog.is_visible()
    text = second.get_by_placeholder("One word for the weather")
    text.fill("sunny")

    # and goes back: the first screen's answers are still there; and forward again
    page.get_by_role("button", name="Back").click()
    first = screen_shown(page, 1)
    assert first.get_by_role("button", name="Yes").get_attribute("aria-pressed") == "true"
    assert first.get_by_role("slider").get_attribute("aria-valuenow") == "3.5"
    page.get_by_role("button", name="Next").click()
    second = screen_shown(page, 2)
    assert second.get_by_role("spinbutton").inner_text() == "8"
    assert text.input_value() == "sunny"
    shot(page, f"{width}-2")
    page.get_by_role("button", name="Next").click()

    # and on the third screen records audio and video (fake devices) and draws on the picture
    third = screen_shown(page, 3)
    audio = third.locator(".c-audiorecording")
    audio.get_by_role("button", name="Record audio").click()
    audio.get_by_role("button", name="Stop").wait_for()
    # (the recording stops by itself at its maximum of 3 seconds)
    audio.get_by_role("button", name="Record again").wait_for(timeout=10_000)
    audio.get_by_text("Recorded 3.0 s and saved").wait_for()
    # (a video stopped at once is shorter than its minimum of 2 seconds: refused on the spot, not kept)
    video = third.locator(".c-videorecording")
    video.get_by_role("button", name="Record video").click()
    video.get_by_role("button", name="Stop").click()
    video.get_by_text("record at least 2 seconds").wait_for()
    page.get_by_role("button", name="Submit").click()
    assert video.locator(".component-problem").inner_text() == "Record your video first. At least 2 seconds."
    video.get_by_role("button", name="Record again").click()
    video.get_by_role("button", name="Stop").wait_for()
    page.wait_for_function("() => document.querySelector('.c-videorecording .rec-progress').value >= 2.2")
    video.get_by_role("button", name="Stop").click()
    video.get_by_text("and saved").wait_for()

    marker = third.locator(".c-imagemarker")
    canvas = marker.locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6, steps=8)
    page.mouse.up()
    marker.get_by_role("button", name="Undo").click()
    marker.get_by_role("button", name="Redo").click()
    marker.get_by_role("button", name="Zoom in").click()
    assert marker.locator(".marker-zoom").inner_text() == "150%"
    # (zoomed in, the Move tool drags the picture around instead of drawing)
    viewport = marker.locator(".marker-viewport")
    left = viewport.evaluate("el => el.scrollLeft")
    marker.get_by_role("radio", name="Move").click()
    box = viewport.bounding_box()
    page.mouse.move(box["x"] + 150, box["y"] + 100)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 100, steps=3)
    page.mouse.up()
    assert viewport.evaluate("el => el.scrollLeft") == left + 30
    shot(page, f"{width}-3")

    # and submits
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(f"{base}/worker/")
    assert page.get_by_text("your answers were submitted").is_visible()

    # then the assignment holds one result per interactive component, screen by screen
    assignment = Assignment.objects.get(pk=assignment_id)
    assert assignment.state == AssignmentState.SUBMITTED
    screens = assignment.answers["screens"]
    assert [s["results"] for s in screens[:2]] == [
        {"4": {"selectedOption": "Yes"}, "5": {"selectedOption": "park"}, "7": {"rating": 3.5}},
        {"2": {"result": 8}, "3": {"checked": True}, "4": {"text": "sunny"}},
    ]
    assert sorted(screens[2]["results"]) == ["1", "2", "4"]
    assert all(s["startedAt"] <= s["completedAt"] for s in screens)

    # when the requester looks at the result through the API
    requester = campaign.project.owner
    api = token_client(requester)
    details = api.get(f"/api/v1/assignments/{assignment_id}/").json()["data"]
    assert details["answers"]["screens"][1]["results"]["4"] == {"text": "sunny"}
    # then the recordings and the drawing are there for them to fetch: audio, video, and a PNG of the
    # marks alone at the picture's own size (480 x 300), with ink in it
    recorded = screens[2]["results"]
    kinds = {key: media_get(api, recorded[key]["url"]) for key in ("1", "2", "4")}
    # (MediaRecorder's sound comes in an MP4 or WebM container, which the bytes show as such)
    assert kinds["1"][0] in ("audio/mp4", "audio/webm", "audio/ogg", "video/mp4", "video/webm")
    assert kinds["2"][0] in ("video/mp4", "video/webm")
    assert kinds["4"][0] == "image/png"
    drawing = Image.open(io.BytesIO(kinds["4"][1]))
    assert drawing.size == (480, 300)
    assert drawing.getchannel("A").getbbox() is not None

    # when they approve it
    paid_before = wallet_for_user(user=worker).available
    assert api.post(f"/api/v1/assignments/{assignment_id}/approve/").status_code == 200
    # then the worker is paid the campaign's payment, and sees the job approved in their history
    assert wallet_for_user(user=worker).available - paid_before == Decimal("0.50")
    page.goto(f"{base}/worker/history/")
    assert page.locator(".badge", has_text="Approved").count() == 1
    page.context.close()


def media_get(api, url: str) -> tuple[str, bytes]:
    response = api.get(url)
    assert response.status_code == 200, url
    return response["Content-Type"], b"".join(response.streaming_content)


def wav(seconds: float, rate: int = 8000) -> bytes:
    """A tone of ``seconds``, as a WAV file."""
    frames = b"".join(
        int(12000 * math.sin(2 * math.pi * 440 * i / rate)).to_bytes(2, "little", signed=True)
        for i in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


# A short film made in the browser itself (a canvas of changing colours through MediaRecorder).
MAKE_FILM = """async () => {
  const canvas = document.createElement('canvas'); canvas.width = 160; canvas.height = 120;
  const g = canvas.getContext('2d'); let frame = 0;
  const paint = setInterval(() => { g.fillStyle = `hsl(${frame++ * 15}, 80%, 50%)`; g.fillRect(0, 0, 160, 120); }, 40);
  const recorder = new MediaRecorder(canvas.captureStream(25), {mimeType: 'video/webm'});
  const chunks = []; recorder.ondataavailable = e => chunks.push(e.data);
  recorder.start(); await new Promise(r => setTimeout(r, 1500));
  const stopped = new Promise(r => recorder.onstop = r); recorder.stop(); await stopped; clearInterval(paint);
  return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
}"""


def test_audio_and_video_must_be_played_through_before_the_job_can_be_sent(
    live_server, media_browser, worker
):
    # given a requester's uploaded sound and film, shown with mustListen (autoplay, repeat) and mustWatch
    # (autoplay, without sound) on the one screen of a job, above a choice
    base = live_server.url
    page = new_page(media_browser, 1100, 900)
    page.goto(f"{base}/worker/login/")
    film = bytes(page.evaluate(MAKE_FILM))
    requester = RequesterFactory()
    api = token_client(requester)
    sound_url = api.post("/api/v1/media/", {"file": io.BytesIO(wav(1.5))}, format="multipart").json()["data"][
        "url"
    ]
    film_url = api.post("/api/v1/media/", {"file": io.BytesIO(film)}, format="multipart").json()["data"][
        "url"
    ]
    screen = [
        {"type": "Text", "style": "Instruction", "text": "Listen and watch, then choose."},
        {"type": "Audio", "url": sound_url, "autoplay": True, "repeat": True, "mustListen": True},
        {"type": "Video", "url": film_url, "autoplay": True, "mustWatch": True, "playAudio": False},
        {"type": "BinaryChoice", "option1": "Same", "option2": "Different"},
    ]
    campaign = job_campaign(screens=[("Listen", screen)], requester=requester)
    log_in(page, base, worker)

    # when the worker opens the job (the sound and the film held back on their way, so that they cannot
    # have been played before the page is looked at)
    held, released = [], []
    page.route(
        re.compile(r"/api/v1/media/"), lambda route: route.continue_() if released else held.append(route)
    )
    page.get_by_role("button", name="Accept next").click()
    assignment_id = next_assignment(page)
    while len(held) < 2:
        page.wait_for_timeout(50)
    # then until both have played through, the job cannot be sent
    submit = page.get_by_role("button", name="Submit")
    assert submit.is_disabled()
    assert page.locator(".job-wait").inner_text() == "Listen to the whole recording first."
    must_listen = page.locator(".c-audio .media-must")
    assert must_listen.inner_text() == "Listen to the whole recording to go on."
    # and once they arrive, the players start by themselves, the film without sound, the sound on repeat
    released.append(True)
    for route in held:
        route.continue_()
    audio, video = page.locator(".c-audio audio"), page.locator(".c-video video")
    assert audio.evaluate("a => a.loop") and video.evaluate("v => v.muted && !v.loop")

    # then once both played through, it can
    page.wait_for_function("() => !document.querySelector('.job-submit').disabled", timeout=20_000)
    assert must_listen.inner_text() == "Played through — you can go on."
    assert not audio.evaluate("a => a.paused")  # started by itself, and still repeating
    assert video.evaluate("v => v.played.length > 0")
    page.get_by_role("button", name="Different").click()
    submit.click()
    page.wait_for_url(f"{base}/worker/")
    answers = Assignment.objects.get(pk=assignment_id).answers
    assert answers["screens"][0]["results"] == {"3": {"selectedOption": "Different"}}
    assert campaign.pk == Assignment.objects.get(pk=assignment_id).campaign_id
    page.context.close()


def test_the_quick_start_component_demo_job_end_to_end(live_server, media_browser, tmp_path):
    # given the quick start's demo data, and worker1 on a phone
    from django.core.management import call_command

    from tasks.demo import CAMPAIGN_TITLE

    call_command("seed_demo", summary_file=str(tmp_path / "quickstart.txt"), stdout=io.StringIO())
    base = live_server.url
    page = new_page(media_browser, 390, 844)
    page.goto(f"{base}/worker/login/")
    page.get_by_label("Username").fill("worker1")
    page.get_by_label("Password").fill("worker1-demo-pass")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/worker/")

    # when they accept the component demo job, choose and rate on its first screen
    page.locator(".campaign", has_text=CAMPAIGN_TITLE).get_by_role("button", name="Accept next").click()
    assignment_id = next_assignment(page)
    first = screen_shown(page, 1)
    assert page.locator(".job-step").inner_text() == "Screen 1 of 2"
    first.get_by_role("button", name="Yes").click()
    first.locator(".star[data-star='4']").click()
    page.get_by_role("button", name="Next").click()

    # and on the second one type, toggle, step, record what they see and circle the bicycle
    second = screen_shown(page, 2)
    second.get_by_placeholder("e.g. a quiet street at noon").fill("a bicycle by a wall")
    second.get_by_role("switch").check(force=True)
    for _ in range(3):
        second.get_by_role("button", name="Increase").click()
    recorder = second.locator(".c-audiorecording")
    recorder.get_by_role("button", name="Record audio").click()
    page.wait_for_function("() => document.querySelector('.c-audiorecording .rec-progress').value >= 1.2")
    recorder.get_by_role("button", name="Stop").click()
    recorder.get_by_text("and saved").wait_for()
    canvas = second.locator(".c-imagemarker canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.8, steps=6)
    page.mouse.up()
    shot(page, "demo-2")

    # and look back at the first screen before they submit
    page.get_by_role("button", name="Back").click()
    assert screen_shown(page, 1).get_by_role("slider").get_attribute("aria-valuenow") == "4"
    page.get_by_role("button", name="Next").click()
    screen_shown(page, 2)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(f"{base}/worker/")

    # then the requester finds the answers in the result and approves it
    assignment = Assignment.objects.select_related("campaign__project__owner").get(pk=assignment_id)
    api = token_client(assignment.campaign.project.owner)
    details = api.get(f"/api/v1/assignments/{assignment_id}/").json()["data"]
    results = [screen["results"] for screen in details["answers"]["screens"]]
    assert results[0] == {"3": {"selectedOption": "Yes"}, "5": {"rating": 4}}
    assert {k: v for k, v in results[1].items() if k not in ("5", "7")} == {
        "1": {"text": "a bicycle by a wall"},
        "2": {"checked": True},
        "3": {"result": 3},
    }
    assert media_get(api, results[1]["7"]["url"])[0] == "image/png"
    assert api.post(f"/api/v1/assignments/{assignment_id}/approve/").status_code == 200
    # and the worker sees it approved
    page.goto(f"{base}/worker/history/")
    assert page.locator(".badge", has_text="Approved").count() == 1
    page.context.close()


def test_a_soft_rejected_job_is_redone_from_the_answers_sent_before(live_server, media_browser, worker):
    # given a job of two screens that the worker did and the requester sent back with a reason
    base = live_server.url
    campaign = job_campaign(screens=screens_of_every_component()[:2])
    page = new_page(media_browser, 1100, 900)
    log_in(page, base, worker)
    page.get_by_role("button", name="Accept next").click()
    assignment_id = next_assignment(page)
    first = screen_shown(page, 1)
    first.get_by_role("button", name="No").click()
    first.get_by_role("button", name="Street").click()
    first.get_by_role("slider").focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # half a star each
    page.get_by_role("button", name="Next").click()
    second = screen_shown(page, 2)
    second.get_by_role("button", name="Decrease").click()
    second.get_by_placeholder("One word for the weather").fill("fog")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(f"{base}/worker/")
    api = token_client(campaign.project.owner)
    until = (timezone.now() + timedelta(hours=1)).isoformat()
    reason = {"reason": "The weather is **rain**.", "until": until}
    assert (
        api.post(f"/api/v1/assignments/{assignment_id}/soft-reject/", reason, format="json").status_code
        == 200
    )

    # when the worker opens it again from the list of work to redo
    page.goto(f"{base}/worker/")
    page.get_by_role("link", name="Redo").click()
    page.wait_for_url(f"{base}/worker/assignments/{assignment_id}/")

    # then the reason is shown and every answer is back where it was given
    assert "The weather is rain." in page.locator(".card.feedback").inner_text()
    first = screen_shown(page, 1)
    assert first.get_by_role("button", name="No").get_attribute("aria-pressed") == "true"
    assert first.get_by_role("button", name="Street").get_attribute("aria-pressed") == "true"
    assert first.get_by_role("slider").get_attribute("aria-valuenow") == "2"
    page.get_by_role("button", name="Next").click()
    second = screen_shown(page, 2)
    assert second.get_by_role("spinbutton").inner_text() == "2"
    assert not second.get_by_role("switch").is_checked()
    weather = second.get_by_placeholder("One word for the weather")
    assert weather.input_value() == "fog"

    # and what they change is sent again
    weather.fill("rain")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(f"{base}/worker/")
    answers = Assignment.objects.get(pk=assignment_id).answers
    assert answers["screens"][1]["results"] == {
        "2": {"result": 2},
        "3": {"checked": False},
        "4": {"text": "rain"},
    }
    assert answers["screens"][0]["results"]["7"] == {"rating": 2}
    page.context.close()


def test_a_refused_answer_is_shown_at_its_component(live_server, media_browser, worker):
    # given a worker at the end of a job whose submit the server refuses for the rating on screen 1
    base = live_server.url
    job_campaign(screens=screens_of_every_component()[:1])
    page = new_page(media_browser, 390, 844)
    log_in(page, base, worker)
    page.get_by_role("button", name="Accept next").click()
    next_assignment(page)
    first = screen_shown(page, 1)
    first.get_by_role("button", name="Yes").click()
    first.get_by_role("button", name="Park").click()
    first.locator(".star[data-star='2']").click()
    refusal = {
        "code": "out-of-range",
        "message": "Component 7: rating must lie between 0.5 and 5.",
        "field": "answers.screens[0].results[7].rating",
    }
    page.route(re.compile(r"/answers/$"), lambda route: route.fulfill(status=400, json=refusal))
    # when they submit
    page.get_by_role("button", name="Submit").click()
    # then the message is shown at the rating, the job stays open and can be sent again
    rating = first.locator(".c-rating")
    rating.locator(".component-problem", has_text="rating must lie between").wait_for()
    assert rating.locator(".component-problem").inner_text() == "rating must lie between 0.5 and 5."
    assert "has-problem" in rating.get_attribute("class")
    assert page.locator(".job-problem").inner_text() == "Not sent: please look at the answer marked above."
    assert page.get_by_role("button", name="Submit").is_enabled()
    shot(page, "390-refused")
    page.context.close()


def test_when_the_time_is_up_the_job_is_put_away(live_server, media_browser, worker):
    # given a job whose time runs out a moment after the worker opened it
    base = live_server.url
    campaign = job_campaign(screens=screens_of_every_component()[:1])
    page = new_page(media_browser, 390, 844)
    log_in(page, base, worker)
    page.goto(f"{base}/worker/campaigns/{campaign.pk}/")
    # (the preview shows the job's screen, nothing answerable in it)
    assert page.locator(".job-preview .screen").count() == 1
    assert page.locator(".job-preview").evaluate("el => el.inert")
    shot(page, "390-preview")
    page.get_by_role("button", name="Accept this job").click()
    assignment_id = next_assignment(page)
    Assignment.objects.filter(pk=assignment_id).update(expires_at=timezone.now() + timedelta(seconds=3))
    page.reload()
    page.locator(".job").wait_for()
    # when the countdown reaches the end, then the screens give way to the notice
    page.locator(".time-up-notice").wait_for(timeout=15_000)
    assert not page.locator(".job").is_visible()
    page.context.close()


def test_answers_survive_a_reload_of_the_page(live_server, media_browser, worker):
    # given a worker halfway through a job of two screens
    base = live_server.url
    job_campaign(screens=screens_of_every_component()[:2])
    page = new_page(media_browser, 390, 844)
    log_in(page, base, worker)
    page.get_by_role("button", name="Accept next").click()
    assignment_id = next_assignment(page)
    first = screen_shown(page, 1)
    first.get_by_role("button", name="No").click()
    first.get_by_role("button", name="Park").click()
    first.locator(".star[data-star='3']").click()
    page.get_by_role("button", name="Next").click()
    second = screen_shown(page, 2)
    second.get_by_placeholder("One word for the weather").fill("snow")
    second.get_by_role("button", name="Increase").click()

    # when the page is loaded again
    page.reload()

    # then they are where they were, with every answer
    second = screen_shown(page, 2)
    assert second.get_by_placeholder("One word for the weather").input_value() == "snow"
    assert second.get_by_role("spinbutton").inner_text() == "6"
    page.get_by_role("button", name="Back").click()
    first = screen_shown(page, 1)
    assert first.get_by_role("button", name="No").get_attribute("aria-pressed") == "true"
    assert first.get_by_role("slider").get_attribute("aria-valuenow") == "3"
    # and what they send holds it all; the draft is gone once sent
    page.get_by_role("button", name="Next").click()
    screen_shown(page, 2)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(f"{base}/worker/")
    answers = Assignment.objects.get(pk=assignment_id).answers
    assert answers["screens"][0]["results"] == {
        "4": {"selectedOption": "No"},
        "5": {"selectedOption": "park"},
        "7": {"rating": 3},
    }
    assert answers["screens"][1]["results"]["4"] == {"text": "snow"}
    assert page.evaluate("() => window.sessionStorage.length") == 0
    page.context.close()
