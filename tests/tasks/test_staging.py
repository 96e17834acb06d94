"""Large CSV imports staged in blocks (``tasks.staging``): answered at once, their tasks written before any
reader sees the campaign. Here every CSV import is staged (``TASKS_STAGE_MIN_RECORDS = 0``) and the
Celery task queued at the commit never runs unless a test runs it, so each reader must write the tasks
itself."""

import csv
import io

import pytest

from campaigns.models import Campaign, CampaignState
from campaigns.schedule import campaigns_finish_due
from campaigns.selectors import campaigns_with_completed
from compat.turkle.exports import input_csv_lines
from crowdplatform.errors import ValidationFailed
from results.claim import assignment_claim_next
from results.services import assignment_submit
from tasks import ingest, staging
from tasks.ingest import tasks_ingest_csv, tasks_ingest_rows
from tasks.models import ImportJob, Task, TaskBlock
from tasks.tasks import sweep_write_staged_tasks
from tests.api.envelope import body
from tests.concurrency import at_once, failures
from tests.conftest import token_client
from tests.factories import CampaignFactory, ProjectFactory, RequesterFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CSV = 'a,b\n1,"x, y"\n2,"quote "" and \\\\ backslash"\n3,"two\nlines"\n4,é\n5,"{""k"": 1}"\n'


@pytest.fixture(autouse=True)
def stage_every_import(settings, monkeypatch):
    settings.TASKS_STAGE_MIN_RECORDS = 0
    # Blocks of two records, so that five records make three blocks;
    monkeypatch.setattr(ingest, "CHUNK_RECORDS", 2)
    # and two blocks per COPY, so that their tasks are written in two COPYs.
    monkeypatch.setattr(staging, "BLOCKS_PER_COPY", 2)


def _campaign(owner=None, **kwargs) -> Campaign:
    project = ProjectFactory(
        html_template="<p>${a} ${b}</p><input name='x'>",
        template_fields=["a", "b"],
        **({"owner": owner} if owner else {}),
    )
    return CampaignFactory(project=project, **kwargs)


def _staged(campaign: Campaign, data: str = CSV) -> ImportJob:
    return tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(data.encode()))


def _tasks(campaign: Campaign) -> list[tuple[int, dict]]:
    return list(Task.objects.filter(campaign=campaign).order_by("position").values_list("position", "input"))


def test_an_import_is_counted_and_stored_in_blocks_and_its_tasks_are_written_after_the_commit(
    django_capture_on_commit_callbacks,
):
    # given an unpublished campaign
    campaign = _campaign(results_per_task=3)
    # when a CSV of five records is imported
    with django_capture_on_commit_callbacks() as callbacks:
        job = _staged(campaign)
    # then it is counted at once, held in three blocks, and no task row exists yet
    campaign.refresh_from_db()
    assert (job.rows, campaign.tasks_count, campaign.tasks_staged) == (5, 5, 5)
    assert list(TaskBlock.objects.order_by("first_position").values_list("first_position", "count")) == [
        (1, 2),
        (3, 2),
        (5, 1),
    ]
    assert not Task.objects.filter(campaign=campaign).exists()
    # when the write queued at the commit runs (Celery runs it at once in the tests)
    assert len(callbacks) == 1
    callbacks[0]()
    # then the tasks are there in order with the values exactly as in the file, and the blocks are gone
    assert _tasks(campaign) == [
        (1, {"a": "1", "b": "x, y"}),
        (2, {"a": "2", "b": 'quote " and \\\\ backslash'}),
        (3, {"a": "3", "b": "two\nlines"}),
        (4, {"a": "4", "b": "é"}),
        (5, {"a": "5", "b": '{"k": 1}'}),
    ]
    assert set(Task.objects.filter(campaign=campaign).values_list("results_needed", "is_open")) == {(3, True)}
    ids = list(Task.objects.filter(campaign=campaign).order_by("position").values_list("id", flat=True))
    assert ids == sorted(ids)  # the claim relies on ids growing with positions
    campaign.refresh_from_db()
    assert campaign.tasks_staged == 0
    assert not TaskBlock.objects.exists()


def test_a_second_write_finds_nothing_to_do():
    # given a staged import whose tasks were written
    campaign = _campaign()
    _staged(campaign)
    assert staging.tasks_write_staged(campaign_id=campaign.pk) == 5
    # when the write runs again (the Celery task after a reader did it)
    # then nothing changes
    assert staging.tasks_write_staged(campaign_id=campaign.pk) == 0
    assert Task.objects.filter(campaign=campaign).count() == 5


def test_imports_after_a_staged_one_continue_its_positions():
    # given a staged import of five records not yet written
    campaign = _campaign()
    _staged(campaign)
    # when a JSON list and another CSV are added
    tasks_ingest_rows(campaign=campaign, rows=[{"a": "6", "b": ""}])
    _staged(campaign, "a,b\n7,\n8,\n")
    # then every task has its own position, in the order the records came
    staging.tasks_write_all_staged()
    assert [(p, i["a"]) for p, i in _tasks(campaign)] == [(n, str(n)) for n in range(1, 9)]
    campaign.refresh_from_db()
    assert (campaign.tasks_count, campaign.tasks_staged) == (8, 0)


def test_a_bad_record_in_a_staged_import_writes_nothing():
    # given a campaign and a CSV whose fourth line is short, after blocks were already sent
    campaign = _campaign()
    # when it is imported
    with pytest.raises(ValidationFailed) as err:
        _staged(campaign, "a,b\n1,x\n2,y\n3\n")
    # then the line is named and neither blocks nor counts nor an import record remain
    assert (err.value.code, err.value.line) == ("csv-row-width", 4)
    campaign.refresh_from_db()
    assert (campaign.tasks_count, campaign.tasks_staged) == (0, 0)
    assert not TaskBlock.objects.exists()
    assert not ImportJob.objects.exists()


def test_a_claim_writes_the_staged_tasks_first():
    # given an active campaign whose import is staged
    campaign = _campaign(state=CampaignState.ACTIVE)
    _staged(campaign)
    worker = UserFactory()
    # when a worker claims and submits through the API
    client = token_client(worker)
    claimed = body(client.post(f"/api/v1/work/campaigns/{campaign.pk}/claim/"))
    # then they get the first task
    assert claimed["task"]["input"] == {"a": "1", "b": "x, y"}
    assignment_submit(assignment_id=claimed["id"], worker=worker, answers={"x": "done"})
    assert assignment_claim_next(campaign_id=campaign.pk, worker=worker).task.position == 2


def test_the_worker_list_counts_the_staged_tasks():
    # given an active campaign whose import is staged
    campaign = _campaign(state=CampaignState.ACTIVE)
    _staged(campaign)
    # when a worker lists what they may work on
    listed = body(token_client(UserFactory()).get("/api/v1/work/campaigns/"))
    # then the campaign shows its five tasks available
    assert [(c["id"], c["available_tasks"]) for c in listed["results"]] == [(campaign.pk, 5)]


def _listed_positions(requester, campaign) -> list[int]:
    listed = body(token_client(requester).get(f"/api/v1/campaigns/{campaign.pk}/tasks/"))["results"]
    return [task["position"] for task in listed]


def _turkle_progress(requester, campaign) -> dict:
    return token_client(requester).get(f"/api/batches/{campaign.pk}/progress/").json()


def _input_csv_records(campaign) -> int:
    return len(list(csv.reader(io.StringIO("".join(input_csv_lines(campaign)))))) - 1  # less the header


@pytest.mark.parametrize(
    "read, expected",
    [
        (lambda requester, c: _listed_positions(requester, c), [1, 2, 3, 4, 5]),
        (lambda requester, c: _turkle_progress(requester, c)["total_tasks"], 5),
        (lambda requester, c: _input_csv_records(c), 5),
    ],
    ids=["requester's task list", "progress", "Turkle input CSV"],
)
def test_the_requesters_readers_show_every_staged_task(read, expected):
    # given a campaign whose import is staged
    requester = RequesterFactory()
    campaign = _campaign(owner=requester)
    _staged(campaign)
    # when it is read, then every task is there
    assert read(requester, Campaign.objects.get(pk=campaign.pk)) == expected


def test_the_campaign_itself_is_answered_without_waiting_for_its_tasks():
    # given a campaign whose import is staged
    requester = RequesterFactory()
    campaign = _campaign(owner=requester)
    _staged(campaign)
    # when the requester reads the campaign (not its tasks)
    data = body(token_client(requester).get(f"/api/v1/campaigns/{campaign.pk}/"))
    # then it counts the tasks, and their rows are left for the Celery task to write
    assert data["tasks_count"] == 5
    assert TaskBlock.objects.filter(campaign=campaign).count() == 3


def test_a_campaign_with_staged_tasks_is_not_complete_and_is_not_finished_early():
    # given an active campaign whose only tasks are staged
    campaign = _campaign(state=CampaignState.ACTIVE)
    _staged(campaign)
    # then it is not complete
    assert not campaigns_with_completed(Campaign.objects.filter(pk=campaign.pk)).get().completed
    # and when the tasks are written, still not (none is done)
    staging.tasks_write_all_staged()
    assert not campaigns_with_completed(Campaign.objects.filter(pk=campaign.pk)).get().completed
    assert campaigns_finish_due() == 0


def test_the_admin_task_list_writes_staged_tasks_first(admin_client):
    # given a staged import
    campaign = _campaign()
    _staged(campaign)
    # when the admin opens the task list
    response = admin_client.get(f"/admin/tasks/task/?campaign__id__exact={campaign.pk}")
    # then it lists the five tasks
    assert response.status_code == 200
    assert response.context["cl"].result_count == 5


def test_the_sweep_writes_what_a_missed_celery_task_left(monkeypatch, caplog):
    # given a broker that cannot be reached when the import commits
    def unreachable(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("tasks.tasks.write_staged_tasks.delay", unreachable)
    campaign = _campaign()
    # when an import is made, the write cannot be queued, but the import stands
    ingest._schedule_write(campaign.pk)
    assert "Could not queue" in caplog.text
    _staged(campaign)
    # then the beat sweep writes its tasks
    assert sweep_write_staged_tasks() == 5
    assert len(_tasks(campaign)) == 5


def test_deleting_an_unpublished_campaign_deletes_its_blocks():
    campaign = _campaign()
    _staged(campaign)
    campaign.delete()
    assert not TaskBlock.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_write_each_task_once(monkeypatch):
    # given a staged import of five records, committed, whose Celery task has not run
    monkeypatch.setattr(ingest, "_schedule_write", lambda campaign_id: None)
    campaign = _campaign()
    _staged(campaign)

    # when three writers run at once (the Celery task, a claim and the sweep, say)
    def write():
        return staging.tasks_write_staged(campaign_id=campaign.pk)

    results = at_once(write, write, write)
    # then one writes the five tasks, the others wait for it and find nothing
    assert failures(results) == []
    assert sorted(results) == [0, 0, 5]
    assert Task.objects.filter(campaign=campaign).count() == 5
    campaign.refresh_from_db()
    assert campaign.tasks_staged == 0


@pytest.mark.django_db(transaction=True)
def test_the_commit_of_a_staged_import_queues_the_write():
    # given Celery running its tasks at once, as in the tests
    campaign = _campaign()
    # when a staged import commits
    _staged(campaign)
    # then its tasks are written by then
    assert len(_tasks(campaign)) == 5
    assert not TaskBlock.objects.exists()
