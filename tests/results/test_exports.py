import csv
import io
import json
from datetime import UTC, datetime

import pytest

from accounts.models import PermissionGrant, PermissionName
from results.models import Assignment, AssignmentState
from tasks.models import ImportJob
from tests.conftest import token_client
from tests.factories import CampaignFactory, ProjectFactory, RequesterFactory, TaskFactory, UserFactory

# Transactional: on PostgreSQL the CSV is written by a COPY on a connection of its own, which sees only
# committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

ACCEPTED = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
SUBMITTED = datetime(2026, 3, 1, 9, 5, 30, 250000, tzinfo=UTC)


def _assignment(task, worker, state, answers, quality=None):
    return Assignment.objects.create(
        task=task,
        campaign=task.campaign,
        worker=worker,
        state=state,
        answers=answers,
        accepted_at=ACCEPTED,
        expires_at=ACCEPTED,
        submitted_at=None if state == AssignmentState.ACCEPTED else SUBMITTED,
        quality=quality,
    )


@pytest.fixture
def results(requester):
    """A campaign of two tasks with results in every state; only the submitted kinds are exported."""
    project = ProjectFactory(owner=requester, html_template="<p>${text}</p>", template_fields=["text"])
    campaign = CampaignFactory(project=project, results_per_task=3)
    ImportJob.objects.create(campaign=campaign, header=["text", "note"], rows=2)
    first = TaskFactory(
        campaign=campaign, position=1, input={"text": "=SUM(A1:A9)", "note": "plain, with comma"}
    )
    second = TaskFactory(campaign=campaign, position=2, input={"text": "Grüße", "note": "@home"})
    ann, bob, cid, dee = (UserFactory(username=n) for n in ("ann", "bob", "-cid", "dee"))
    made = [
        _assignment(first, ann, AssignmentState.SUBMITTED, {"label": "yes", "tags": ["a", "b"]}),
        _assignment(first, bob, AssignmentState.APPROVED, {"label": "+1", "tags": []}, quality=90),
        _assignment(second, cid, AssignmentState.REJECTED, {"label": "line\nbreak", "n": 3}, quality=0),
        _assignment(second, dee, AssignmentState.SOFT_REJECTED, {"label": "\tx", "tags": ["-z"]}),
        _assignment(first, UserFactory(), AssignmentState.ACCEPTED, {}),
        _assignment(second, UserFactory(), AssignmentState.RETURNED, {"label": "no"}),
        _assignment(second, UserFactory(), AssignmentState.EXPIRED, {}),
        _assignment(first, UserFactory(), AssignmentState.SKIPPED, {}),
    ]
    return campaign, first, second, made[:4]


def test_csv_export_has_one_row_per_submitted_result_with_neutralised_cells(requester_client, results):
    # given a campaign with results in every state
    campaign, first, second, (a1, a2, a3, a4) = results
    # when its owner downloads the native CSV
    response = requester_client.get(f"/api/v1/campaigns/{campaign.pk}/results.csv")
    # then it is a streamed attachment holding exactly the submitted, approved, rejected and soft-rejected rows
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="campaign-{campaign.pk}-results.csv"'
    body = b"".join(response.streaming_content).decode()
    t1, t2 = first.pk, second.pk
    times = "2026-03-01T09:00:00.000000Z,2026-03-01T09:05:30.250000Z"
    assert body == (
        "assignment_id,task_id,task_position,worker,state,accepted_at,submitted_at,quality,"
        "input.text,input.note,answer.label,answer.n,answer.tags\n"
        f'{a1.pk},{t1},1,ann,submitted,{times},,\'=SUM(A1:A9),"plain, with comma",yes,,a|b\n'
        f"{a2.pk},{t1},1,bob,approved,{times},90,'=SUM(A1:A9),\"plain, with comma\",'+1,,\n"
        f"{a3.pk},{t2},2,'-cid,rejected,{times},0,Grüße,'@home,\"line\nbreak\",3,\n"
        f"{a4.pk},{t2},2,dee,soft_rejected,{times},,Grüße,'@home,'\tx,,'-z\n"
    )


def test_jsonl_export_keeps_values_as_data_and_lists_as_lists(requester_client, results):
    # given the same campaign
    campaign, first, second, (a1, a2, a3, a4) = results
    # when its owner downloads JSON Lines (with a trailing slash, which is optional)
    response = requester_client.get(f"/api/v1/campaigns/{campaign.pk}/results.jsonl/")
    # then each line is one submitted result, nothing neutralised
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "assignment_id": a1.pk,
            "task_id": first.pk,
            "task_position": 1,
            "worker": "ann",
            "state": "submitted",
            "accepted_at": "2026-03-01T09:00:00.000000Z",
            "submitted_at": "2026-03-01T09:05:30.250000Z",
            "quality": None,
            "input": {"text": "=SUM(A1:A9)", "note": "plain, with comma"},
            "answers": {"label": "yes", "tags": ["a", "b"]},
        },
        {
            "assignment_id": a2.pk,
            "task_id": first.pk,
            "task_position": 1,
            "worker": "bob",
            "state": "approved",
            "accepted_at": "2026-03-01T09:00:00.000000Z",
            "submitted_at": "2026-03-01T09:05:30.250000Z",
            "quality": 90,
            "input": {"text": "=SUM(A1:A9)", "note": "plain, with comma"},
            "answers": {"label": "+1", "tags": []},
        },
        {
            "assignment_id": a3.pk,
            "task_id": second.pk,
            "task_position": 2,
            "worker": "-cid",
            "state": "rejected",
            "accepted_at": "2026-03-01T09:00:00.000000Z",
            "submitted_at": "2026-03-01T09:05:30.250000Z",
            "quality": 0,
            "input": {"text": "Grüße", "note": "@home"},
            "answers": {"label": "line\nbreak", "n": 3},
        },
        {
            "assignment_id": a4.pk,
            "task_id": second.pk,
            "task_position": 2,
            "worker": "dee",
            "state": "soft_rejected",
            "accepted_at": "2026-03-01T09:00:00.000000Z",
            "submitted_at": "2026-03-01T09:05:30.250000Z",
            "quality": None,
            "input": {"text": "Grüße", "note": "@home"},
            "answers": {"label": "\tx", "tags": ["-z"]},
        },
    ]


def test_csv_export_of_a_campaign_without_results_or_imports_is_the_header_only(requester_client, requester):
    # given a campaign whose tasks were not imported (no import header) and that has no results yet
    project = ProjectFactory(owner=requester, html_template="<p>${text}</p>", template_fields=["text"])
    campaign = CampaignFactory(project=project)
    TaskFactory(campaign=campaign, input={"text": "a", "extra": "b"})
    # when it is exported
    response = requester_client.get(f"/api/v1/campaigns/{campaign.pk}/results.csv/")
    # then the input columns come from the tasks themselves and there are no rows
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == (
        "assignment_id,task_id,task_position,worker,state,accepted_at,submitted_at,quality,"
        "input.extra,input.text\n"
    )


@pytest.mark.parametrize("suffix", ["results.csv", "results.jsonl"])
def test_another_requester_gets_404_in_the_envelope(results, suffix):
    # given another requester without any grant on the campaign
    campaign = results[0]
    client = token_client(RequesterFactory())
    # when they ask for the export, even asking for CSV
    response = client.get(f"/api/v1/campaigns/{campaign.pk}/{suffix}", HTTP_ACCEPT="text/csv")
    # then it is a 404 in the usual JSON envelope
    assert response.status_code == 404
    assert response.json() == {
        "status": "failure",
        "data": None,
        "errors": [
            {
                "code": "campaign-not-found",
                "message": "No such campaign.",
                "error": "campaign-not-found",
                "detail": "No such campaign.",
            }
        ],
    }


@pytest.mark.parametrize("name", ["results.csv", "results.jsonl"])
def test_a_worker_gets_403_and_an_anonymous_client_401(results, worker_client, anon_client, name):
    # given a campaign with results; when a plain worker (no grant) and an anonymous client ask for its export
    campaign = results[0]
    as_worker = worker_client.get(f"/api/v1/campaigns/{campaign.pk}/{name}")
    as_anon = anon_client.get(f"/api/v1/campaigns/{campaign.pk}/{name}")
    # then, as on every requester endpoint, the worker is forbidden and the anonymous client unauthenticated
    assert (as_worker.status_code, as_worker.json()["errors"][0]["code"]) == (403, "forbidden")
    assert (as_anon.status_code, as_anon.json()["errors"][0]["code"]) == (401, "unauthenticated")


def test_a_results_read_grant_on_the_campaign_allows_the_export_with_a_bearer_token(results):
    # given a user granted results.read on this campaign only
    campaign = results[0]
    reader = UserFactory()
    PermissionGrant.objects.create(
        user=reader,
        name=PermissionName.RESULTS_READ,
        scope=PermissionGrant.Scope.CAMPAIGN,
        scope_id=campaign.pk,
    )
    client = token_client(reader)
    client.credentials(
        HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"].replace("Token", "Bearer")
    )
    # when they download the JSON Lines export
    response = client.get(f"/api/v1/campaigns/{campaign.pk}/results.jsonl")
    # then they get the four rows
    assert response.status_code == 200
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 4


def test_the_schema_shows_the_export_media_types(anon_client):
    response = anon_client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    csv_path = next(p for p in paths if p.endswith("/results.csv/"))
    jsonl_path = next(p for p in paths if p.endswith("/results.jsonl/"))
    assert list(paths[csv_path]["get"]["responses"]["200"]["content"]) == ["text/csv"]
    assert list(paths[jsonl_path]["get"]["responses"]["200"]["content"]) == ["application/jsonl"]


@pytest.fixture
def carriage_return_result(requester):
    """A result whose input and answer begin with a carriage return followed by a formula."""
    project = ProjectFactory(owner=requester, html_template="<p>${text}</p>", template_fields=["text"])
    campaign = CampaignFactory(project=project)
    ImportJob.objects.create(campaign=campaign, header=["text"], rows=1)
    task = TaskFactory(campaign=campaign, position=1, input={"text": "\r=HYPERLINK(1)"})
    result = _assignment(task, UserFactory(username="eve"), AssignmentState.SUBMITTED, {"label": "\r+1"})
    return campaign, task, result


def test_a_cell_beginning_with_a_carriage_return_is_neutralised_in_the_csv(
    requester_client, carriage_return_result
):
    # given a result whose cells begin with a carriage return
    campaign, task, result = carriage_return_result
    # when its owner downloads the CSV
    response = requester_client.get(f"/api/v1/campaigns/{campaign.pk}/results.csv")
    body = b"".join(response.streaming_content).decode()
    # then both cells are prefixed with a quote, and quoted since they hold a line break
    times = "2026-03-01T09:00:00.000000Z,2026-03-01T09:05:30.250000Z"
    assert response.status_code == 200
    assert body == (
        "assignment_id,task_id,task_position,worker,state,accepted_at,submitted_at,quality,"
        "input.text,answer.label\n"
        f'{result.pk},{task.pk},1,eve,submitted,{times},,"\'\r=HYPERLINK(1)","\'\r+1"\n'
    )
    # and a CSV reader gets the one row back with the neutralised values
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert [row[-2:] for row in rows[1:]] == [["'\r=HYPERLINK(1)", "'\r+1"]]


def test_a_value_beginning_with_a_carriage_return_stays_data_on_one_line_in_json_lines(
    requester_client, carriage_return_result
):
    # given a result whose values begin with a carriage return
    campaign, task, result = carriage_return_result
    # when its owner downloads JSON Lines
    response = requester_client.get(f"/api/v1/campaigns/{campaign.pk}/results.jsonl")
    body = b"".join(response.streaming_content)
    # then the record is one physical line: the carriage return is escaped, never written raw
    assert response.status_code == 200
    assert b"\r" not in body
    assert body.count(b"\n") == 1 and body.endswith(b"\n")
    # and the values come back exactly, as data
    record = json.loads(body)
    assert (record["assignment_id"], record["input"], record["answers"]) == (
        result.pk,
        {"text": "\r=HYPERLINK(1)"},
        {"label": "\r+1"},
    )


def test_a_key_whose_answers_are_sometimes_lists_is_joined_where_it_is_one(requester_client, requester):
    # given answers where one key is a list in one result and text in another, and one key never a list
    project = ProjectFactory(owner=requester, html_template="<p>${text}</p>", template_fields=["text"])
    campaign = CampaignFactory(project=project, results_per_task=2)
    task = TaskFactory(campaign=campaign, position=1, input={"text": "t"})
    first = _assignment(task, UserFactory(), AssignmentState.SUBMITTED, {"pick": ["a", "=b"], "score": 3})
    second = _assignment(task, UserFactory(), AssignmentState.SUBMITTED, {"pick": "-c", "score": "=1"})
    # when the CSV is downloaded
    response = requester_client.get(f"/api/v1/campaigns/{campaign.pk}/results.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))
    # then the list is joined with "|", the text stays text, and both are neutralised
    assert rows[0][-2:] == ["answer.pick", "answer.score"]
    assert [(row[0], row[-2], row[-1]) for row in rows[1:]] == [
        (str(first.pk), "a|=b", "3"),
        (str(second.pk), "'-c", "'=1"),
    ]
