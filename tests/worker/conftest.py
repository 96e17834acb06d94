from pathlib import Path

import pytest
from django.test import Client

from projects.templating import template_fields
from tasks.ingest import tasks_ingest_csv
from tests.factories import CampaignFactory, ProjectFactory

# Copies of the real Turkle example project (template and CSV batch).
EXAMPLES = Path(__file__).resolve().parent.parent / "e2e" / "examples"


def image_campaign(**campaign_fields):
    """An active campaign of the real Turkle ``image_contains`` template filled from its CSV."""
    html = (EXAMPLES / "image_contains.html").read_text()
    project = ProjectFactory(html_template=html, template_fields=template_fields(html))
    campaign = CampaignFactory(project=project, **campaign_fields)
    with open(EXAMPLES / "image_contains.csv", "rb") as stream:
        tasks_ingest_csv(campaign=campaign, stream=stream, filename="image_contains.csv")
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def campaign(db):
    return image_campaign()


@pytest.fixture
def worker_browser(worker):
    client = Client()
    client.force_login(worker)
    return client
