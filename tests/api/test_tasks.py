from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import CampaignState
from results.models import AssignmentState
from tasks.models import ImportJob, Task
from tests.api.envelope import body, error
from tests.factories import AssignmentFactory, CampaignFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_add_tasks_as_a_json_list(campaign, requester_client):
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/", [{"text": "a"}, {"text": "b", "extra": 1}], format="json"
    )
    assert response.status_code == 201
    data = body(response)
    assert data == {"created": 2, "import_id": ImportJob.objects.get().pk}
    assert list(Task.objects.filter(campaign=campaign).values_list("input", "results_needed")) == [
        ({"text": "a"}, 2),
        ({"text": "b", "extra": 1}, 2),
    ]
    campaign.refresh_from_db()
    assert campaign.tasks_count == 2


def test_add_tasks_as_a_csv_body(campaign, requester_client):
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks", data="text,id\nhello,1\nworld,2\n", content_type="text/csv"
    )
    assert response.status_code == 201
    assert body(response)["created"] == 2
    assert [t.input for t in Task.objects.filter(campaign=campaign)] == [
        {"text": "hello", "id": "1"},
        {"text": "world", "id": "2"},
    ]


def test_add_tasks_as_a_multipart_csv_file(campaign, requester_client):
    upload = SimpleUploadedFile("batch.csv", b"text\none\ntwo\nthree\n", content_type="text/csv")
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201
    assert body(response)["created"] == 3
    assert ImportJob.objects.get().filename == "batch.csv"


def test_a_task_missing_a_template_field_is_refused_and_nothing_is_written(campaign, requester_client):
    # given a project whose template uses ${text}
    # when the second item lacks it
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/", [{"text": "ok"}, {"txt": "typo"}], format="json"
    )
    # then the whole request is refused, naming the item and field
    assert response.status_code == 400
    assert error(response) == {
        "code": "missing-field",
        "message": "Item 1 lacks the template field 'text'.",
        "field": "[1].text",
    }
    assert Task.objects.count() == 0
    assert ImportJob.objects.count() == 0
    campaign.refresh_from_db()
    assert campaign.tasks_count == 0


def test_a_csv_missing_a_template_field_names_the_line(campaign, requester_client):
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/", data="label\nx\n", content_type="text/csv"
    )
    assert response.status_code == 400
    assert error(response) == {
        "code": "csv-missing-field",
        "message": "The header does not supply the template field 'text'.",
        "field": "text",
        "line": 1,
    }
    assert Task.objects.count() == 0


def test_a_short_csv_row_names_the_line(campaign, requester_client):
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/", data="text,id\na,1\nb\n", content_type="text/csv"
    )
    assert response.status_code == 400
    item = error(response)
    assert (item["code"], item["line"]) == ("csv-row-width", 3)
    assert Task.objects.count() == 0


@pytest.mark.parametrize("payload", [{"text": "not a list"}, ["not an object"], "just text"])
def test_tasks_of_the_wrong_type_are_refused(campaign, requester_client, payload):
    response = requester_client.post(f"/api/v1/campaigns/{campaign.pk}/tasks/", payload, format="json")
    assert response.status_code == 400
    assert error(response)["code"] == "invalid-type"
    assert Task.objects.count() == 0


def test_tasks_cannot_be_added_to_a_finished_campaign(project, requester_client):
    campaign = CampaignFactory(project=project, state=CampaignState.FINISHED)
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/", [{"text": "x"}], format="json"
    )
    assert response.status_code == 409
    assert error(response)["code"] == "campaign-closed"
    assert Task.objects.count() == 0


def test_list_tasks_of_a_campaign_with_their_counts(active_campaign, requester_client, worker_client):
    claimed = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    worker_client.post(
        f"/api/v1/work/assignments/{claimed['id']}/submit/", {"answers": {"label": "x"}}, format="json"
    )
    second = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    TaskFactory()  # another requester's task is not listed
    data = body(requester_client.get(f"/api/v1/campaigns/{active_campaign.pk}/tasks/?page_size=2"))
    assert data["count"] == 3
    assert data["next"] is not None
    rows = {t["id"]: (t["submitted_count"], t["in_progress_count"]) for t in data["results"]}
    assert rows == {claimed["task"]["id"]: (1, 0), second["task"]["id"]: (0, 1)}


def test_each_listed_task_counts_only_its_own_results_and_live_holders(project, requester_client):
    # given a task with two submitted results, one live holder, one holder whose time ran out and one who
    # gave the task back, next to a task of the same campaign with a result of its own
    campaign = CampaignFactory(project=project, state=CampaignState.ACTIVE, results_per_task=5)
    busy, other = TaskFactory(campaign=campaign, results_needed=5), TaskFactory(campaign=campaign)
    for state in (AssignmentState.SUBMITTED, AssignmentState.APPROVED, AssignmentState.ACCEPTED):
        AssignmentFactory(task=busy, state=state)
    AssignmentFactory(task=busy, accepted_at=timezone.now() - timedelta(hours=2))  # ran out an hour ago
    AssignmentFactory(task=busy, state=AssignmentState.RETURNED)
    AssignmentFactory(task=other, state=AssignmentState.SUBMITTED)
    # when the requester lists the campaign's tasks
    data = body(requester_client.get(f"/api/v1/campaigns/{campaign.pk}/tasks/"))
    # then each task counts its own done work and its holders whose time has not run out
    rows = {t["id"]: (t["submitted_count"], t["in_progress_count"]) for t in data["results"]}
    assert rows == {busy.pk: (2, 1), other.pk: (1, 0)}
    assert data["count"] == 2


def test_task_detail(active_campaign, requester_client):
    task = active_campaign.tasks.first()
    data = body(requester_client.get(f"/api/v1/tasks/{task.pk}"))
    assert data == {
        "id": task.pk,
        "campaign": active_campaign.pk,
        "position": task.position,
        "input": task.input,
        "results_needed": 1,
        "submitted_count": 0,
        "in_progress_count": 0,
        "is_open": True,
        "created_at": data["created_at"],
    }


def test_a_csv_value_holding_a_nul_character_names_its_line_and_writes_nothing(campaign, requester_client):
    # given a CSV whose third line holds a NUL character, which a JSON column cannot store
    data = "text,id\nfine,1\nbad\x00value,2\n"
    # when it is uploaded
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/", data=data, content_type="text/csv"
    )
    # then it is refused with the line, and not even the good first row is written
    assert response.status_code == 400
    assert error(response) == {
        "code": "csv-nul-character",
        "message": "Line 3 holds a NUL character.",
        "line": 3,
    }
    assert not Task.objects.filter(campaign=campaign).exists()


def test_a_json_task_holding_a_nul_character_is_refused_and_nothing_is_written(campaign, requester_client):
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks/",
        [{"text": "fine"}, {"text": "ok", "notes": ["a\x00b"]}],
        format="json",
    )
    assert response.status_code == 400
    assert error(response) == {
        "code": "nul-character",
        "message": "Item 1 holds a NUL character.",
        "field": "[1]",
    }
    assert not Task.objects.filter(campaign=campaign).exists()
