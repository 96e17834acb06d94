"""A job that uses every component type, for the worker pages' tests (page and browser)."""

from decimal import Decimal

from campaigns.services import campaign_create, campaign_publish
from projects.screens import job_create, screen_create
from tasks.jobs import campaign_jobs_set
from tests.factories import ProjectFactory, RequesterFactory
from tests.money.scenario import fund

PICTURE = "/static/demo/street-001.svg"
OTHER_PICTURE = "/static/demo/park-017.svg"


def screens_of_every_component(*, audio_url: str = "", video_url: str = "") -> list[tuple[str, list[dict]]]:
    """Three screens: choosing and rating, counting and typing, recording and drawing.

    ``audio_url``/``video_url``: media for the Audio and Video display components (left out when empty).
    """
    look = [
        {"type": "Text", "style": "H1", "text": "Street scenes"},
        {"type": "Text", "style": "Instruction", "text": "Look at the picture, then answer."},
        {"type": "Image", "url": PICTURE},
        {"type": "Text", "style": "Question", "text": "Is there a bicycle?"},
        {"type": "BinaryChoice", "option1": "Yes", "option2": "No"},
        {
            "type": "BinaryImageChoice",
            "option1": {"id": "street", "url": PICTURE, "label": "Street"},
            "option2": {"id": "park", "url": OTHER_PICTURE, "label": "Park"},
        },
        {"type": "Text", "style": "Question", "text": "How busy is it?"},
        {"type": "Rating", "steps": 5, "halfSteps": True},
    ]
    count = [
        {"type": "Text", "style": "H2", "text": "Counting"},
        {"type": "Text", "style": "Question", "text": "How many people do you see?"},
        {"type": "Stepper", "min": 0, "max": 10, "step": 2, "start": 4},
        {
            "type": "Toggle",
            "label": "The picture is sharp",
            "explanation": "Sharp means you can read the signs in it.",
        },
        {"type": "TextInput", "hint": "One word for the weather"},
        {"type": "Text", "style": "Quote", "text": "Count only whole people."},
        {"type": "Text", "style": "Html", "text": "<p>Thanks for <b>helping</b>!</p>"},
    ]
    record = [{"type": "Text", "style": "Question", "text": "Say the word you typed, then film the street."}]
    if audio_url:
        record.append({"type": "Audio", "url": audio_url, "mustListen": True})
    if video_url:
        record.append({"type": "Video", "url": video_url, "mustWatch": True, "playAudio": False})
    record += [
        {"type": "AudioRecording", "minDurationInSeconds": 1, "maxDurationInSeconds": 3},
        {"type": "VideoRecording", "minDurationInSeconds": 2, "maxDurationInSeconds": 5},
        {"type": "Text", "style": "Question", "text": "Circle the bicycles."},
        {"type": "ImageMarker", "url": PICTURE},
    ]
    return [("Look", look), ("Count", count), ("Record and draw", record)]


def job_campaign(*, screens=None, payment: str = "0.50", results_per_task: int = 1, requester=None):
    """A funded requester's published campaign of one job of ``screens`` (every component by default),
    built through the engine's services as the API builds it."""
    requester = requester or RequesterFactory()
    fund(requester, "100.00")
    project = ProjectFactory(owner=requester, html_template="", template_fields=[])
    ids = [
        screen_create(owner=requester, name=name, components=components).pk
        for name, components in screens or screens_of_every_component()
    ]
    job = job_create(owner=requester, name="Street scenes", screens=ids)
    campaign = campaign_create(
        project=project,
        created_by=requester,
        name="Street scenes",
        payment_per_result=Decimal(payment),
        results_per_task=results_per_task,
    )
    campaign_jobs_set(campaign=campaign, job_ids=[job.pk], by=requester)
    return campaign_publish(campaign=campaign)
