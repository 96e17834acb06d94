"""The quick start's component campaign: one job of two screens using the main component types."""

from django.contrib.auth.models import User

from campaigns import services as campaign_services
from campaigns.models import Campaign
from projects.models import Project
from projects.screens import job_create, screen_create
from projects.services import project_create

from .jobs import campaign_jobs_add

PROJECT_NAME = "Street scenes (component screens)"
CAMPAIGN_NAME = "Street scenes, component demo"
# What workers see it as.
CAMPAIGN_TITLE = "Look at a street, then describe it"

FIRST_SCREEN = [
    {"type": "Text", "style": "H1", "text": "Street scenes"},
    {"type": "Text", "style": "Instruction", "text": "Look at the picture, then answer the questions."},
    {"type": "Image", "url": "/static/demo/street-001.svg"},
    {"type": "BinaryChoice", "option1": "Yes", "option2": "No", "properties": {"question": "bicycle"}},
    {"type": "Text", "style": "Question", "text": "Is there a bicycle in the picture?", "sticky": False},
    {"type": "Rating", "steps": 5, "halfSteps": True},
    {"type": "Text", "style": "PlainText", "text": "How clear is the picture? (1 to 5 stars)"},
]
SECOND_SCREEN = [
    {"type": "Text", "style": "Question", "text": "Describe the scene in a few words."},
    {"type": "TextInput", "hint": "e.g. a quiet street at noon"},
    {"type": "Toggle", "label": "People are visible", "explanation": "Anyone, even far away or in part."},
    {"type": "Stepper", "min": 0, "max": 10, "step": 1, "start": 0},
    {"type": "Text", "style": "Instruction", "text": "Count the windows you can see (up to 10)."},
    {"type": "AudioRecording", "minDurationInSeconds": 1, "maxDurationInSeconds": 20},
    {"type": "Text", "style": "Instruction", "text": "Say out loud what you see."},
    {"type": "ImageMarker", "url": "/static/demo/street-001.svg"},
    {"type": "Text", "style": "Instruction", "text": "Circle every bicycle on the picture."},
]


def demo_component_campaign_ensure(*, requester: User) -> Campaign:
    """The demo component campaign, made once (a second call finds it): active, 2 results per job."""
    campaign = Campaign.objects.filter(project__owner=requester, name=CAMPAIGN_NAME).first()
    if campaign is not None:
        return campaign
    project = Project.objects.filter(owner=requester, name=PROJECT_NAME).first() or project_create(
        owner=requester,
        name=PROJECT_NAME,
        description="Work shown as screens of components instead of an HTML template.",
        default_results_per_task=2,
        default_time_allowed_s=900,
    )
    first = screen_create(owner=requester, name="Street: look and rate", components=FIRST_SCREEN)
    second = screen_create(owner=requester, name="Street: describe, record, mark", components=SECOND_SCREEN)
    job = job_create(
        owner=requester,
        name="Street scene 1",
        description="Two screens about one street picture.",
        screens=[first.pk, second.pk],
    )
    campaign = campaign_services.campaign_create(
        project=project,
        created_by=requester,
        name=CAMPAIGN_NAME,
        title=CAMPAIGN_TITLE,
        description="Rate a street picture, then describe it in words, in your voice and by marking it.",
        terms="The recordings you make are kept by the requester for this study only.",
        est_duration_s=120,
    )
    campaign_jobs_add(campaign=campaign, job_ids=[job.pk], by=requester)
    campaign = campaign_services.campaign_publish(campaign=campaign)
    campaign.refresh_from_db()
    return campaign
