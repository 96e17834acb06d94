"""The native CSV upload hands the request body to the streamed ingest."""

import pytest

from campaigns.models import CampaignState
from tasks.models import ImportJob, Task
from tests.api.envelope import seed_item
from tests.factories import CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(requester):
    project = ProjectFactory(owner=requester, html_template="<p>${a}${b}</p>", template_fields=["a", "b"])
    return CampaignFactory(project=project, state=CampaignState.UNPUBLISHED)


def test_a_text_csv_body_is_ingested(requester_client, campaign):
    # given a CSV body with a BOM, a quoted comma and a value over two lines
    body = '\ufeffa,b\n1,"x, y"\n2,"two\nlines"\n'.encode()
    # when it is posted as text/csv
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/", data=body, content_type="text/csv"
    )
    # then both rows are tasks
    assert response.status_code == 201
    job = ImportJob.objects.get(campaign=campaign)
    assert response.json()["data"] == {"created": 2, "import_id": job.pk}
    assert list(
        Task.objects.filter(campaign=campaign).order_by("position").values_list("input", flat=True)
    ) == [
        {"a": "1", "b": "x, y"},
        {"a": "2", "b": "two\nlines"},
    ]


def test_a_bad_row_in_a_text_csv_body_names_its_line_and_writes_nothing(requester_client, campaign):
    # given a body whose fourth line is one cell short, after a record spanning lines 2-3
    body = b'a,b\n1,"x\ny"\n2\n'
    # when it is posted
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/", data=body, content_type="text/csv"
    )
    # then it is a 400 naming line 4, and nothing is written
    assert response.status_code == 400
    assert [seed_item(i) for i in response.json()["errors"]] == [
        {"code": "csv-row-width", "message": "Line 4 has 1 cells; the header has 2.", "line": 4}
    ]
    assert not Task.objects.filter(campaign=campaign).exists()
    assert not ImportJob.objects.filter(campaign=campaign).exists()
