from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import CampaignState
from campaigns.selectors import campaign_get_for_worker
from crowdplatform.errors import Conflict
from crowdplatform.sqlrows import Statement
from results import claim_sql
from results.claim import CLAIM_ATTEMPTS, assignment_claim_next
from results.models import Assignment, AssignmentState
from results.services import assignment_skip, assignment_submit, assignments_expire_due
from tasks.models import Task
from tests.conftest import token_client
from tests.factories import AssignmentFactory, CampaignFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("claim_path")
def test_claim_gives_tasks_in_order_and_never_the_same_task_twice():
    # given a campaign of two tasks needing two results each
    campaign = CampaignFactory(results_per_task=2)
    first, second = TaskFactory(campaign=campaign), TaskFactory(campaign=campaign)
    worker = UserFactory()
    # when the worker claims twice
    a1 = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    a2 = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    # then they get each task once, in order, and nothing more
    assert (a1.task_id, a2.task_id) == (first.pk, second.pk)
    with pytest.raises(Conflict) as err:
        assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    assert err.value.code == "no-task-available"


@pytest.mark.usefixtures("claim_path")
def test_a_full_task_is_not_offered_until_an_assignment_expires_even_without_a_sweep():
    # given a one-result task held by a worker whose time has run out
    campaign = CampaignFactory(results_per_task=1, time_allowed_s=60)
    task = TaskFactory(campaign=campaign)
    held = assignment_claim_next(campaign_id=campaign.pk, worker=UserFactory())
    other = UserFactory()
    with pytest.raises(Conflict):
        assignment_claim_next(campaign_id=campaign.pk, worker=other)
    # when time passes beyond the limit (no sweep has run)
    later = held.expires_at + timedelta(seconds=1)
    taken = assignment_claim_next(campaign_id=campaign.pk, worker=other, now=later)
    # then the task is offered again
    assert taken.task_id == task.pk
    assert Assignment.objects.get(pk=held.pk).state == AssignmentState.ACCEPTED


@pytest.mark.usefixtures("claim_path")
def test_skipped_tasks_come_last_for_that_worker():
    campaign = CampaignFactory()
    first, second = TaskFactory(campaign=campaign), TaskFactory(campaign=campaign)
    worker = UserFactory()
    a = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    assignment_skip(assignment_id=a.pk, worker=worker)
    assert assignment_claim_next(campaign_id=campaign.pk, worker=worker).task_id == second.pk
    again = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    assert (again.task_id, again.pk, again.state) == (first.pk, a.pk, AssignmentState.ACCEPTED)


@pytest.mark.usefixtures("claim_path")
def test_claiming_from_a_paused_campaign_is_refused():
    campaign = CampaignFactory(state=CampaignState.PAUSED)
    TaskFactory(campaign=campaign)
    with pytest.raises(Conflict) as err:
        assignment_claim_next(campaign_id=campaign.pk, worker=UserFactory())
    assert err.value.code == "campaign-not-active"
    assert Assignment.objects.count() == 0


@pytest.mark.usefixtures("claim_path")
def test_submit_twice_and_submit_expired_are_refused():
    campaign = CampaignFactory(time_allowed_s=60)
    TaskFactory(campaign=campaign)
    TaskFactory(campaign=campaign)
    worker = UserFactory()
    done = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    assignment_submit(assignment_id=done.pk, worker=worker, answers={"label": "x"})
    with pytest.raises(Conflict) as err:
        assignment_submit(assignment_id=done.pk, worker=worker, answers={"label": "y"})
    assert err.value.code == "already-submitted"
    late = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    with pytest.raises(Conflict) as err:
        assignment_submit(
            assignment_id=late.pk,
            worker=worker,
            answers={"label": "x"},
            now=timezone.now() + timedelta(minutes=2),
        )
    assert err.value.code == "assignment-expired"
    assert Assignment.objects.get(pk=late.pk).answers == {}


@pytest.mark.usefixtures("claim_path")
def test_expiry_sweep_is_idempotent_and_reopens_the_task():
    campaign = CampaignFactory(time_allowed_s=60)
    task = TaskFactory(campaign=campaign)
    held = assignment_claim_next(campaign_id=campaign.pk, worker=UserFactory())
    later = timezone.now() + timedelta(minutes=5)
    assert assignments_expire_due(now=later) == 1
    assert assignments_expire_due(now=later) == 0
    task.refresh_from_db()
    assert Assignment.objects.get(pk=held.pk).state == AssignmentState.EXPIRED
    assert task.is_open is True


@pytest.mark.usefixtures("claim_path")
def test_tasks_whose_bookkeeping_is_out_of_date_are_mended_and_the_next_one_given():
    # given more done one-result tasks than a claim's retries, each of whose bookkeeping still says a holder
    # may expire a minute ago, and one task that needs work after them
    campaign = CampaignFactory(results_per_task=1)
    done_tasks = [TaskFactory(campaign=campaign) for _ in range(CLAIM_ATTEMPTS + 2)]
    open_task = TaskFactory(campaign=campaign)
    for _ in done_tasks:
        done_by = UserFactory()
        done = assignment_claim_next(campaign_id=campaign.pk, worker=done_by)
        assignment_submit(assignment_id=done.pk, worker=done_by, answers={"label": "x"})
    stale_at = timezone.now() - timedelta(minutes=1)
    Task.objects.filter(pk__in=[t.pk for t in done_tasks]).update(is_open=False, reopen_at=stale_at)
    # when another worker claims
    taken = assignment_claim_next(campaign_id=campaign.pk, worker=UserFactory())
    # then they get the task that needs work, and every done one is marked as never reopening
    assert taken.task_id == open_task.pk
    mended = Task.objects.filter(pk__in=[t.pk for t in done_tasks]).values_list("is_open", "reopen_at")
    assert set(mended) == {(False, None)}


@pytest.mark.usefixtures("claim_path")
def test_submitting_the_last_holder_of_a_full_task_clears_its_reopen_time():
    # given a one-result task held by one accepted assignment, so it reopens when that one expires
    campaign = CampaignFactory(results_per_task=1)
    task = TaskFactory(campaign=campaign)
    worker = UserFactory()
    held = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    task.refresh_from_db()
    assert (task.is_open, task.reopen_at) == (False, held.expires_at)
    # when the worker submits
    submitted = assignment_submit(assignment_id=held.pk, worker=worker, answers={"label": "x"})
    # then the task is full for good, and the returned assignment is what was stored
    task.refresh_from_db()
    stored = Assignment.objects.get(pk=held.pk)
    assert (task.is_open, task.reopen_at) == (False, None)
    assert (submitted.state, submitted.answers, submitted.review_due_at) == (
        stored.state,
        stored.answers,
        stored.review_due_at,
    )


def _two_holders(now, second_claims_after: timedelta):
    """A two-result task (600 s to do it) claimed by one worker at ``now`` and by another
    ``second_claims_after`` later (negative: earlier), so full: the task and the two assignments."""
    campaign = CampaignFactory(results_per_task=2, time_allowed_s=600)
    task = TaskFactory(campaign=campaign)
    first = assignment_claim_next(campaign_id=campaign.pk, worker=UserFactory(), now=now)
    second = assignment_claim_next(
        campaign_id=campaign.pk, worker=UserFactory(), now=now + second_claims_after
    )
    task.refresh_from_db()
    return task, first, second


@pytest.mark.usefixtures("claim_path")
def test_submitting_the_holder_a_full_task_waits_for_moves_its_reopen_time_to_the_next_holder():
    # given a two-result task held by two workers, the first of whom runs out first
    now = timezone.now()
    task, first, second = _two_holders(now, timedelta(seconds=60))
    assert (task.is_open, task.reopen_at) == (False, first.expires_at)
    # when the first holder submits, then the task waits for the second one
    assignment_submit(
        assignment_id=first.pk, worker=first.worker, answers={"label": "x"}, now=now + timedelta(seconds=90)
    )
    task.refresh_from_db()
    assert (task.is_open, task.reopen_at) == (False, second.expires_at)
    # and when the second submits too, the task is full for good
    assignment_submit(
        assignment_id=second.pk,
        worker=second.worker,
        answers={"label": "y"},
        now=now + timedelta(seconds=120),
    )
    task.refresh_from_db()
    assert (task.is_open, task.reopen_at) == (False, None)


@pytest.mark.usefixtures("claim_path")
def test_submitting_to_a_full_task_whose_other_holder_ran_out_opens_it_again():
    # given a two-result task held by two workers, and the second one's time has run out (no sweep yet)
    now = timezone.now()
    task, first, _ = _two_holders(now, timedelta(seconds=-590))
    assert task.is_open is False
    # when the first holder submits, after the second one's time is up
    submitted = assignment_submit(
        assignment_id=first.pk, worker=first.worker, answers={"label": "x"}, now=now + timedelta(seconds=30)
    )
    # then the task has room again and is open to the next worker
    task.refresh_from_db()
    assert submitted.state == AssignmentState.SUBMITTED
    assert (task.is_open, task.reopen_at) == (True, None)


@pytest.mark.usefixtures("claim_path")
def test_a_worker_far_ahead_gets_the_tasks_past_their_furthest_one_first_and_a_gap_behind_it_at_the_end():
    # given a campaign of three results per task, and a worker who has done its first NEAR + 5 tasks but one
    # (nobody else has worked there, so all are still open)
    campaign = CampaignFactory(results_per_task=3)
    tasks = Task.objects.bulk_create(
        Task(campaign=campaign, position=p, input={}, results_needed=3) for p in range(1, claim_sql.NEAR + 11)
    )
    worker = UserFactory()
    gap = tasks[claim_sql.NEAR + 1]
    for task in tasks[: claim_sql.NEAR + 5]:
        if task != gap:
            AssignmentFactory(task=task, worker=worker, state=AssignmentState.SUBMITTED)
    # when the worker claims until nothing is left
    taken = []
    while True:
        try:
            taken.append(assignment_claim_next(campaign_id=campaign.pk, worker=worker).task_id)
        except Conflict:
            break
    # then the tasks past their furthest one come first, in order, and the gap behind it last
    assert taken == [t.pk for t in tasks[claim_sql.NEAR + 5 :]] + [gap.pk]


@pytest.mark.usefixtures("claim_path")
def test_workers_close_to_the_first_open_task_get_the_first_one_they_have_not_had():
    # given four one-result tasks, the third already done by the worker, the first two still open
    campaign = CampaignFactory(results_per_task=1)
    tasks = TaskFactory.create_batch(4, campaign=campaign)
    worker = UserFactory()
    AssignmentFactory(task=tasks[2], worker=worker, state=AssignmentState.SUBMITTED)
    # when the worker claims twice, then they get the open tasks in order, the one they had left out
    taken = [assignment_claim_next(campaign_id=campaign.pk, worker=worker).task_id for _ in range(3)]
    assert taken == [tasks[0].pk, tasks[1].pk, tasks[3].pk]


def _plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


@pytest.mark.postgres
def test_the_claim_of_a_worker_far_ahead_does_not_look_at_the_tasks_they_already_had():
    # given a campaign of three results per task whose first 5,000 tasks the worker has done (still open:
    # nobody else has worked on them)
    campaign = CampaignFactory(results_per_task=3)
    tasks = Task.objects.bulk_create(
        Task(campaign=campaign, position=p, input={}, results_needed=3) for p in range(1, 5101)
    )
    worker = UserFactory()
    now = timezone.now()
    Assignment.objects.bulk_create(
        Assignment(
            task=task,
            campaign=campaign,
            worker=worker,
            state=AssignmentState.SUBMITTED,
            accepted_at=now,
            expires_at=now,
            submitted_at=now,
        )
        for task in tasks[:5000]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tasks_task, results_assignment")
        # when the claim's pick is run
        sql = claim_sql._candidate(skipped=False).sql
        params = {"campaign": campaign.pk, "worker": worker.pk, "now": now}
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0][0]["Plan"]
        cursor.execute(sql, params)
        picked = cursor.fetchone()[0]
    # then it finds the task after the 5,000th, having looked at the first open ones and past the worker's
    # furthest one, not at every task had
    assert picked == tasks[5000].pk
    looked_at = sum(node["Actual Loops"] * max(node["Actual Rows"], 1) for node in _plan_nodes(plan))
    assert looked_at < 1000


def _statements(captured) -> list[str]:
    """The verbs of the statements run, leaving out the savepoints of the test's own transaction and the
    (re-)PREPAREs of a connection's hot-path statements; EXECUTE counts as the verb it runs."""
    verbs = []
    for query in captured.captured_queries:
        verb, *rest = query["sql"].split(maxsplit=2)
        if verb == "EXECUTE":
            verb = Statement.by_name[rest[0].split("(")[0]].sql.split()[0]
        if verb not in ("SAVEPOINT", "RELEASE", "PREPARE", "DISCARD"):
            verbs.append(verb)
    return verbs


def _claim_and_submit_statements(results_per_task: int = 2) -> tuple[list[str], list[str]]:
    """The statements of one claim and one submit through the API (the worker's token already used once, so
    no last-use write); with one result per task, the claim fills the task the submit is for."""
    campaign = CampaignFactory(results_per_task=results_per_task)
    TaskFactory(campaign=campaign)
    client = token_client(UserFactory())
    client.get("/api/v1/work/assignments/")
    with CaptureQueriesContext(connection) as claim:
        claimed = client.post(f"/api/v1/work/campaigns/{campaign.pk}/claim/")
    assert claimed.status_code == 201
    with CaptureQueriesContext(connection) as submit:
        submitted = client.post(
            f"/api/v1/work/assignments/{claimed.json()['data']['id']}/submit/",
            {"answers": {"label": "x"}},
            format="json",
        )
    assert (submitted.status_code, submitted.json()["data"]["state"]) == (200, "submitted")
    return _statements(claim), _statements(submit)


# What one claim and one submit send, on each path (after the token is read). A template task's answers
# are not shaped as a job's, so the submit does not read whether the task is a job first (the one-call
# submit refuses such answers for a job's task; the steps check the task they read anyway).
STATEMENTS = {
    # the token, then the claim function (the campaign's check, pick, count, insert and close in one round
    # trip); the token, then the submit function (read, write and, for a full task, its bookkeeping)
    "one call": (["SELECT"] * 2, ["SELECT"] * 2),
    # the campaign, the candidate (due or open, one statement), the slot count and the insert; the
    # assignment read, then updated
    "step by step": (["SELECT"] * 4 + ["INSERT"], ["SELECT", "SELECT", "UPDATE"]),
}
# ... and a submit for a task the claim filled, which locks the task and brings its bookkeeping up to date
SUBMIT_TO_FULL_TASK = {
    "one call": ["SELECT"] * 2,
    # the assignment read, the task locked, the assignment updated, the task's bookkeeping recounted
    "step by step": ["SELECT", "SELECT", "SELECT", "UPDATE", "UPDATE"],
}


def test_a_claim_and_a_submit_cost_a_handful_of_statements(claim_path):
    # given an active campaign with room, when a worker claims and submits through the API
    claim, submit = _claim_and_submit_statements()
    # then each sends the statements of its path, and no more
    assert (claim, submit) == STATEMENTS[claim_path]


def test_a_submit_to_a_full_task_costs_a_handful_of_statements_too(claim_path):
    # given a one-result campaign, when a worker claims (filling the task) and submits through the API
    _, submit = _claim_and_submit_statements(results_per_task=1)
    # then the submit sends the statements of its path, and no more
    assert submit == SUBMIT_TO_FULL_TASK[claim_path]


# Transactional: these tests replace the database session, which a test's own transaction would not survive.
own_sessions = pytest.mark.django_db(transaction=True)


@pytest.fixture
def claim():
    """Claim the next task of a campaign of four single-result tasks as a worker whose token was used once."""
    campaign = CampaignFactory(results_per_task=1)
    TaskFactory.create_batch(4, campaign=campaign)
    client = token_client(UserFactory())
    client.get("/api/v1/work/assignments/")
    return lambda: client.post(f"/api/v1/work/campaigns/{campaign.pk}/claim/")


@pytest.mark.postgres
@own_sessions
def test_hot_path_statements_are_prepared_once_per_database_session(claim):
    # given a new database session
    connection.close()

    def prepares_of_a_claim():
        with CaptureQueriesContext(connection) as captured:
            assert claim().status_code == 201
        return sum("PREPARE crowd_" in q["sql"] for q in captured.captured_queries)

    # when the worker claims for the first time on this session, then the statements are prepared
    assert prepares_of_a_claim() > 0
    # and the next claim only runs them
    assert prepares_of_a_claim() == 0
    # and after the session is replaced, they are prepared again on the new one
    connection.close()
    assert prepares_of_a_claim() > 0
    # and once the re-planning interval has passed, the session's plans are dropped to be made again, and
    # the statements themselves are kept
    with override_settings(CROWD_PREPARED_STATEMENTS_REPLAN=0):
        with CaptureQueriesContext(connection) as captured:
            assert claim().status_code == 201
    sent = [q["sql"] for q in captured.captured_queries]
    assert "DISCARD PLANS" in sent
    assert not any("PREPARE crowd_" in q for q in sent)


@pytest.mark.postgres
def test_without_prepared_statements_the_hot_path_sends_its_statements_as_they_are(claim_path):
    # given prepared statements turned off (a pool that shares sessions, such as PgBouncer in transaction mode)
    with override_settings(CROWD_PREPARED_STATEMENTS=False):
        # when a worker claims and submits, then both work
        with CaptureQueriesContext(connection) as captured:
            claim, submit = _claim_and_submit_statements()
    # and the same statements were sent, none of them prepared or run by name
    assert (claim, submit) == STATEMENTS[claim_path]
    assert not any(q["sql"].startswith(("PREPARE", "EXECUTE")) for q in captured.captured_queries)


@pytest.mark.postgres
@own_sessions
def test_a_session_whose_prepared_statements_were_discarded_recovers_on_the_next_request(claim):
    # given a worker who has claimed once on this session
    assert claim().status_code == 201
    # when something drops the session's prepared statements (a pool's DISCARD ALL, say)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    # then the next request fails, and the one after it prepares them again and succeeds
    with pytest.raises(DatabaseError):
        claim()
    assert claim().status_code == 201


@pytest.mark.usefixtures("claim_path")
def test_skipping_through_skipped_tasks_goes_round_all_of_them():
    # given three tasks, all skipped by the worker in order
    campaign = CampaignFactory()
    tasks = TaskFactory.create_batch(3, campaign=campaign)
    worker = UserFactory()
    start = timezone.now()
    for i in range(3):
        a = assignment_claim_next(campaign_id=campaign.pk, worker=worker, now=start + timedelta(seconds=i))
        assignment_skip(assignment_id=a.pk, worker=worker, now=start + timedelta(seconds=i))
    # when the worker keeps skipping whatever comes back
    seen = []
    for i in range(3, 9):
        a = assignment_claim_next(campaign_id=campaign.pk, worker=worker, now=start + timedelta(seconds=i))
        seen.append(a.task_id)
        assignment_skip(assignment_id=a.pk, worker=worker, now=start + timedelta(seconds=i))
    # then every skipped task comes back in turn, the one skipped longest ago first, not the first one again
    ids = [t.pk for t in tasks]
    assert seen == ids + ids


def test_the_claims_campaign_read_leaves_the_projects_large_fields_for_later():
    # given a campaign whose project's template is large (pictures and scripts inline)
    template = "<p>${text}</p>" + "<!-- inline picture -->" * 20000
    campaign = CampaignFactory(project__html_template=template)
    worker = UserFactory()
    # when a claim reads the campaign
    with CaptureQueriesContext(connection) as read:
        found = campaign_get_for_worker(user=worker, pk=campaign.pk)
    # then the template was not fetched, and is there when a page asks for it
    assert len(read.captured_queries) == 1
    assert {"html_template", "data", "description"} <= found.project.get_deferred_fields()
    assert found.project.html_template == template
