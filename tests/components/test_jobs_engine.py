"""Jobs published by campaigns go through the one engine: claim, caps, submit checked per component,
review, payment and exports."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.money import wallet_for_user
from campaigns.models import CampaignState
from crowdplatform.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from projects.selectors import job_screens
from results.exports import results_csv_lines, results_jsonl_lines
from results.models import Assignment, AssignmentState
from results.review import result_approve, result_soft_reject
from results.services import assignment_submit
from tasks.jobs import campaign_jobs_add, campaign_jobs_set
from tasks.models import Task
from tasks.services import task_claim_next
from tests.factories import CampaignFactory, RequesterFactory, TaskFactory, UserFactory
from tests.money.invariants import assert_money_invariants

from .conftest import answers_for, job_campaign, make_job


def snapshot():
    return (
        list(Assignment.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values("pk", "is_open", "reopen_at", "results_needed")),
    )


def test_each_job_of_a_campaign_becomes_one_task_with_the_campaigns_results_per_job(requester):
    # given a campaign asking 3 results per job, with two jobs of two screens each
    campaign = job_campaign(requester, jobs=2, results_per_task=3, publish=False)
    # then it holds one task per job, without input, needing 3 results
    tasks = list(Task.objects.filter(campaign=campaign).order_by("position"))
    assert [(t.position, t.input, t.results_needed) for t in tasks] == [(1, {}, 3), (2, {}, 3)]
    assert all(t.job_id for t in tasks) and campaign.tasks_count == 2
    # and adding a job it already has changes nothing
    campaign_jobs_add(campaign=campaign, job_ids=[tasks[0].job_id], by=requester)
    assert Task.objects.filter(campaign=campaign).count() == 2


@pytest.mark.usefixtures("claim_path")
def test_a_job_of_several_screens_counts_once_for_results_cap_and_payment(requester):
    # given a published campaign of one two-screen job, 2 results wanted, 1 per worker, 1.00 each
    campaign = job_campaign(requester, jobs=1, results_per_task=2, max_results_per_worker=1, payment="1.00")
    job = Task.objects.get(campaign=campaign).job
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    # when two workers each do the job (both screens) and submit once
    done = []
    for worker in (first, second):
        assignment = task_claim_next(campaign_id=campaign.pk, worker=worker)
        done.append(assignment_submit(assignment_id=assignment.pk, worker=worker, answers=answers_for(job)))
    # then the job has its results: nobody else is offered it, and the first worker's cap is reached
    with pytest.raises(Conflict):
        task_claim_next(campaign_id=campaign.pk, worker=third)
    with pytest.raises(Conflict):
        task_claim_next(campaign_id=campaign.pk, worker=first)
    assert Assignment.objects.filter(campaign=campaign).count() == 2
    # and approving pays each worker once, the campaign's payment, whatever the number of screens
    for assignment in done:
        result_approve(assignment_id=assignment.pk, reviewer=requester)
    assert wallet_for_user(user=first).available == Decimal("1.00")
    assert wallet_for_user(user=second).available == Decimal("1.00")
    assert_money_invariants()


@pytest.mark.usefixtures("claim_path")
def test_valid_answers_are_stored_per_screen_and_component(requester, worker):
    campaign = job_campaign(requester)
    job = Task.objects.get(campaign=campaign).job
    assignment = task_claim_next(campaign_id=campaign.pk, worker=worker)
    # when the worker submits answers for both screens
    given = answers_for(job, text="tabby")
    submitted = assignment_submit(assignment_id=assignment.pk, worker=worker, answers=given)
    # then they are stored as given, and the result is in review
    stored = Assignment.objects.get(pk=assignment.pk)
    assert stored.state == AssignmentState.SUBMITTED == submitted.state
    assert stored.answers == given


def _bad(job, change):
    answers = answers_for(job)
    change(answers["screens"])
    return answers


BAD_ANSWERS = [
    ("a rating off the half-star grid", lambda s: s[0]["results"].update({"2": {"rating": 4.25}}), "off-step",
     "answers.screens[0].results[2].rating"),
    ("an option that does not exist", lambda s: s[0]["results"].update({"1": {"selectedOption": "Maybe"}}),
     "invalid-choice", "answers.screens[0].results[1].selectedOption"),
    ("a stepper value beyond max", lambda s: s[1]["results"].update({"0": {"result": 12}}), "out-of-range",
     "answers.screens[1].results[0].result"),
    ("a required answer missing", lambda s: s[1]["results"].pop("2"), "required",
     "answers.screens[1].results[2].checked"),
    ("a screen missing", lambda s: s.pop(), "screen-count", "answers.screens"),
    ("screens swapped", lambda s: s.reverse(), "wrong-screen", "answers.screens[0].screen"),
    ("a bad time", lambda s: s[0].update({"startedAt": "yesterday"}), "invalid-datetime",
     "answers.screens[0].startedAt"),
    ("completed before started", lambda s: s[1].update({"startedAt": "2030-01-01T00:00:00Z"}), "invalid-range",
     "answers.screens[1].completedAt"),
    ("an unknown field", lambda s: s[0].update({"mood": "happy"}), "unknown-field", "answers.screens[0].mood"),
]  # fmt: skip


@pytest.mark.usefixtures("claim_path")
@pytest.mark.parametrize("what, change, code, field", BAD_ANSWERS, ids=[b[0] for b in BAD_ANSWERS])
def test_a_refused_submit_changes_nothing(requester, worker, what, change, code, field):
    # given a claimed job
    campaign = job_campaign(requester)
    job = Task.objects.get(campaign=campaign).job
    assignment = task_claim_next(campaign_id=campaign.pk, worker=worker)
    before = snapshot()
    # when the worker submits answers with one fault
    with pytest.raises(ValidationFailed) as refused:
        assignment_submit(assignment_id=assignment.pk, worker=worker, answers=_bad(job, change))
    # then the submit is refused as a whole, naming the component, and nothing changed
    assert (refused.value.code, refused.value.field) == (code, field)
    assert snapshot() == before


@pytest.mark.usefixtures("claim_path")
def test_template_shaped_answers_to_a_job_are_refused(requester, worker):
    campaign = job_campaign(requester)
    assignment = task_claim_next(campaign_id=campaign.pk, worker=worker)
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        assignment_submit(assignment_id=assignment.pk, worker=worker, answers={"label": "yes"})
    assert refused.value.field == "answers.screens"
    assert snapshot() == before


def test_the_api_refuses_a_bad_submit_with_the_screen_and_component(requester, worker, worker_client):
    campaign = job_campaign(requester)
    job = Task.objects.get(campaign=campaign).job
    claimed = worker_client.post(f"/api/v1/work/campaigns/{campaign.pk}/claim/").json()["data"]
    answers = _bad(job, BAD_ANSWERS[0][1])
    before = snapshot()
    response = worker_client.post(
        f"/api/v1/work/assignments/{claimed['id']}/submit/", {"answers": answers}, format="json"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "answers.screens[0].results[2].rating"
    assert (error["screen"], error["index"], error["attribute"]) == (0, 2, "rating")
    assert snapshot() == before
    # and the right answers go through
    response = worker_client.post(
        f"/api/v1/work/assignments/{claimed['id']}/submit/", {"answers": answers_for(job)}, format="json"
    )
    assert response.status_code == 200, response.json()


def test_the_requester_sees_results_per_component(requester, requester_client, worker):
    campaign = job_campaign(requester)
    job = Task.objects.get(campaign=campaign).job
    first, second = job_screens(job_id=job.pk)
    assignment = task_claim_next(campaign_id=campaign.pk, worker=worker)
    given = answers_for(job)
    assignment_submit(assignment_id=assignment.pk, worker=worker, answers=given)
    # when the requester reads the assignment
    data = requester_client.get(f"/api/v1/assignments/{assignment.pk}/").json()["data"]
    # then each screen shows its times and one entry per interactive component, in the seed's shape
    assert data["job"] == job.pk
    [one, two] = data["task_results"]
    assert one["task"] == {"id": first.pk, "name": first.name}
    assert one["startedAt"] == given["screens"][0]["startedAt"]
    assert [c["result"] for c in one["components"]] == [{"selectedOption": "Yes"}, {"rating": 4.5}]
    assert [c["data"]["type"] for c in one["components"]] == ["BinaryChoice", "Rating"]
    assert two["task"]["id"] == second.pk
    assert [c["result"] for c in two["components"]] == [{"result": 6}, None, {"checked": True}]
    # and the list shows the same, reading the job's screens once per page
    listed = requester_client.get("/api/v1/assignments/").json()["data"]["results"]
    assert listed[0]["task_results"] == data["task_results"]


def test_review_and_redo_work_on_job_results(requester, worker):
    campaign = job_campaign(requester)
    job = Task.objects.get(campaign=campaign).job
    assignment = task_claim_next(campaign_id=campaign.pk, worker=worker)
    assignment_submit(assignment_id=assignment.pk, worker=worker, answers=answers_for(job))
    # when the requester asks for a redo with Markdown feedback
    result_soft_reject(
        assignment_id=assignment.pk,
        reviewer=requester,
        reason="Look **again** ![clip](https://example.org/hint.mp3)",
        until=timezone.now() + timezone.timedelta(days=1),
    )
    # then the worker can submit again, and the new answers are checked as well
    with pytest.raises(ValidationFailed):
        assignment_submit(assignment_id=assignment.pk, worker=worker, answers=answers_for(job, rating=9))
    redone = assignment_submit(assignment_id=assignment.pk, worker=worker, answers=answers_for(job, rating=2))
    assert redone.state == AssignmentState.SUBMITTED
    assert Assignment.objects.get(pk=assignment.pk).answers["screens"][0]["results"]["2"] == {"rating": 2}


def test_exports_have_columns_per_screen_and_component(requester):
    campaign = job_campaign(requester, results_per_task=2)
    job = Task.objects.get(campaign=campaign).job
    for rating in (1, 5):
        worker = UserFactory()
        assignment = task_claim_next(campaign_id=campaign.pk, worker=worker)
        assignment_submit(assignment_id=assignment.pk, worker=worker, answers=answers_for(job, rating=rating))
    # CSV
    text = "".join(c if isinstance(c, str) else c.decode() for c in results_csv_lines(campaign))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["s1.c2.rating"] for r in rows] == ["1", "5"]
    assert rows[0]["s1.c1.selectedOption"] == "Yes" and rows[0]["s2.c2.checked"] == "true"
    assert rows[0]["s2.c1.text"] == "" and rows[0]["job_id"] == str(job.pk)
    assert rows[0]["s1.startedAt"]
    # JSON Lines
    lines = [json.loads(line) for line in "".join(results_jsonl_lines(campaign)).splitlines()]
    assert [line["taskResults"][0]["components"][1]["result"] for line in lines] == [
        {"rating": 1},
        {"rating": 5},
    ]
    assert lines[0]["job_id"] == job.pk


def test_jobs_and_template_tasks_do_not_mix(requester):
    template = CampaignFactory(project__owner=requester, state=CampaignState.UNPUBLISHED)
    TaskFactory(campaign=template)
    job = make_job(requester)
    with pytest.raises(Conflict) as refused:
        campaign_jobs_add(campaign=template, job_ids=[job.pk], by=requester)
    assert refused.value.code == "campaign-has-template-tasks"


def test_only_the_owners_jobs_with_screens_can_be_added(requester):
    campaign = job_campaign(requester, publish=False)
    foreign = make_job(RequesterFactory())
    with pytest.raises(NotFound):
        campaign_jobs_add(campaign=campaign, job_ids=[foreign.pk], by=requester)
    empty = make_job(requester, screens=())
    with pytest.raises(ValidationFailed) as refused:
        campaign_jobs_add(campaign=campaign, job_ids=[empty.pk], by=requester)
    assert refused.value.code == "job-empty"
    with pytest.raises(ValidationFailed):
        campaign_jobs_add(campaign=campaign, job_ids=["1"], by=requester)


def test_jobs_are_replaced_only_before_publishing(requester):
    campaign = job_campaign(requester, jobs=2, publish=False)
    other = make_job(requester)
    campaign_jobs_set(campaign=campaign, job_ids=[other.pk], by=requester)
    assert list(Task.objects.filter(campaign=campaign).values_list("job_id", flat=True)) == [other.pk]
    campaign.refresh_from_db()
    assert campaign.tasks_count == 1
    published = job_campaign(requester)
    with pytest.raises(ApplicationError) as refused:
        campaign_jobs_set(campaign=published, job_ids=[other.pk], by=requester)
    assert refused.value.code == "campaign-published"


def test_adding_jobs_to_a_published_campaign_freezes_their_budget(requester):
    campaign = job_campaign(requester, jobs=1, payment="2.00")
    frozen = campaign.frozen_amount
    campaign_jobs_add(campaign=campaign, job_ids=[make_job(requester).pk], by=requester)
    campaign.refresh_from_db()
    assert campaign.frozen_amount == frozen * 2 and campaign.tasks_count == 2
    assert_money_invariants()


def test_listing_job_results_reads_each_jobs_screens_once_per_page(requester, requester_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = job_campaign(requester, results_per_task=4)
    job = Task.objects.get(campaign=campaign).job

    def submit_one():
        worker = UserFactory()
        assignment = task_claim_next(campaign_id=campaign.pk, worker=worker)
        assignment_submit(assignment_id=assignment.pk, worker=worker, answers=answers_for(job))

    def queries_of_the_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert requester_client.get("/api/v1/assignments/").status_code == 200
        return len(captured)

    submit_one()
    requester_client.get("/api/v1/assignments/")  # the token's first use is written once
    one = queries_of_the_list()
    for _ in range(3):
        submit_one()
    assert queries_of_the_list() == one
