"""DEBUG on with PostgreSQL (the local settings with a ``DATABASE_URL``): Django then wraps every cursor in
its debug cursor, and every COPY (imports, staged imports, exports, the demo data) must still work."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from campaigns.models import Campaign
from tasks.models import Task
from tests.api.envelope import body
from tests.conftest import token_client
from tests.factories import CampaignFactory, ProjectFactory, RequesterFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    # Django decides per cursor: with DEBUG on each new cursor is its CursorDebugWrapper.
    with connection.cursor() as cursor:
        assert type(cursor).__name__ == "CursorDebugWrapper"


def _campaign(owner):
    project = ProjectFactory(owner=owner, html_template="<p>${text}</p>", template_fields=["text"])
    return CampaignFactory(project=project)


def test_a_csv_import_and_the_results_export_work_under_the_debug_cursor(debug_on):
    # given a requester's campaign, with DEBUG on
    requester = RequesterFactory()
    campaign = _campaign(requester)
    client = token_client(requester)
    # when a CSV is imported through the native API (written with COPY) and the results CSV is read
    created = client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/", data="text\nfirst\nsecond\n", content_type="text/csv"
    )
    exported = client.get(f"/api/v1/campaigns/{campaign.pk}/results.csv")
    # then both work, and the tasks are there
    assert created.status_code == 201, created.content
    assert body(created)["created"] == 2
    assert exported.status_code == 200
    assert b"".join(exported.streaming_content).startswith(b"assignment_id,")
    assert list(
        Task.objects.filter(campaign=campaign).order_by("position").values_list("input", flat=True)
    ) == [
        {"text": "first"},
        {"text": "second"},
    ]


def test_a_staged_import_writes_its_tasks_under_the_debug_cursor(debug_on, settings):
    # given every CSV import staged, with DEBUG on
    settings.TASKS_STAGE_MIN_RECORDS = 0
    requester = RequesterFactory()
    campaign = _campaign(requester)
    # when a CSV is imported (Celery runs the write of the staged tasks at once in the tests)
    created = token_client(requester).post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/", data="text\na\nb\nc\n", content_type="text/csv"
    )
    # then the staged tasks were written by COPY
    assert created.status_code == 201, created.content
    assert Task.objects.filter(campaign=campaign).count() == 3


def test_seed_demo_runs_with_the_local_settings_on_postgresql(tmp_path):
    # given the local settings (DEBUG on by default) pointed at this PostgreSQL test database
    db = django_settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crowdplatform.settings.local",
        "DATABASE_URL": url,
        "CROWD_VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_DEBUG", None)
    # when seed_demo runs as `make run` runs it
    run = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    # then it succeeds, the demo campaign holds its 7 tasks and the component demo its one job
    assert run.returncode == 0, run.stderr
    campaign = Campaign.objects.get(name="Pictures, first batch")
    assert campaign.tasks_count == Task.objects.filter(campaign=campaign).count() == 7
