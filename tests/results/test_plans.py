"""The claim's and the submit's statements read what they need, however stale PostgreSQL's statistics are.

Statistics lag behind a table that grows as work is done: every assignment newer than the last ANALYZE is
one they do not know of. These tests analyze the tables before the work they then add, as happens between
two runs of autovacuum, and count the buffers each statement reads (``EXPLAIN (ANALYZE, BUFFERS)``, and
``auto_explain`` for the functions): a plan that reads a table from its start, or every assignment of a
worker, reads thousands where the statements need tens. Buffers, not time: the count does not depend on
how busy the machine is.
"""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from campaigns.models import CampaignState
from results import claim_sql, submit_sql
from tasks.jobs import _JOB_OF_ASSIGNMENT
from tests.factories import CampaignFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TASKS = 12_000
# The worker's earlier work: the first tasks, each handed in.
DONE = 3_000
# A plan that reads by key stays far below this; one that reads a table from its start goes far above.
FEW_BUFFERS = 300


def _hand_in(cursor, campaign, worker, *, first: int, last: int, now) -> None:
    """The worker's results on the tasks at positions ``first`` to ``last``, handed in."""
    cursor.execute(
        "INSERT INTO results_assignment (task_id, campaign_id, worker_id, state, answers, accepted_at,"
        " expires_at, submitted_at, feedback, updated_at)"
        " SELECT id, %s, %s, 'submitted', '{}', %s, %s, %s, '', %s FROM tasks_task"
        " WHERE campaign_id = %s AND position BETWEEN %s AND %s",
        [campaign.pk, worker.pk, now, now + timedelta(hours=1), now, now, campaign.pk, first, last],
    )


@pytest.fixture
def grown():
    """A campaign of ``TASKS`` tasks x 3 results, analyzed when two workers had done its first hundred; then
    a third worker who handed in ``DONE`` results on its first tasks, which the others filled, and who holds
    an open assignment on task ``TASKS - 10``."""
    campaign = CampaignFactory(state=CampaignState.ACTIVE, results_per_task=3, time_allowed_s=3600)
    worker, others = UserFactory(), [UserFactory(), UserFactory()]
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tasks_task (campaign_id, position, input, results_needed, is_open, created_at)"
            " SELECT %s, g, jsonb_build_object('text', 'item ' || g), 3, true, now()"
            " FROM generate_series(1, %s) g",
            [campaign.pk, TASKS],
        )
        for other in others:
            _hand_in(cursor, campaign, other, first=1, last=100, now=now)
        # what the statistics know: the work of the first moments
        cursor.execute("ANALYZE tasks_task, results_assignment")
        for other in others:
            _hand_in(cursor, campaign, other, first=101, last=DONE, now=now)
        _hand_in(cursor, campaign, worker, first=1, last=DONE, now=now)
        cursor.execute(
            "UPDATE tasks_task SET is_open = false WHERE campaign_id = %s AND position <= %s",
            [campaign.pk, DONE],
        )
        cursor.execute(
            "INSERT INTO results_assignment (task_id, campaign_id, worker_id, state, answers, accepted_at,"
            " expires_at, feedback, updated_at)"
            " SELECT id, %s, %s, 'accepted', '{}', %s, %s, '', %s FROM tasks_task"
            " WHERE campaign_id = %s AND position = %s RETURNING id",
            [campaign.pk, worker.pk, now, now + timedelta(hours=1), now, campaign.pk, TASKS - 10],
        )
        open_id = cursor.fetchone()[0]
    return campaign, worker, open_id, now


def _explained(sql: str, params) -> dict:
    """The statement's plan, run once with ``params``."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def _buffers(sql: str, params) -> tuple[int, str]:
    """Shared buffers the statement read, run once with ``params``, and its plan."""
    top = _explained(sql, params)
    return top["Shared Hit Blocks"] + top["Shared Read Blocks"], json.dumps(top, indent=1)


def _rows_read(node: dict, table: str) -> int:
    """Rows that the plan's scans of ``table`` gave, over all their runs."""
    own = node["Actual Rows"] * node["Actual Loops"] if node.get("Relation Name") == table else 0
    return own + sum(_rows_read(child, table) for child in node.get("Plans", []))


def test_the_claims_pick_looks_up_each_candidate_rather_than_reading_all_the_workers_work(grown):
    # given a worker with thousands of results that the statistics do not know of
    campaign, worker, _, now = grown
    # when the claim's pick of a task runs for them
    sql = claim_sql._candidate_sql(skipped=False)
    plan = _explained(sql, {"campaign": campaign.pk, "worker": worker.pk, "now": now})
    # then it looks up the worker's assignment on each task it passes (none on the first open one), rather than
    # reading all of the worker's assignments to compare each task with
    assert _rows_read(plan, "results_assignment") < 10, json.dumps(plan, indent=1)
    assert plan["Shared Hit Blocks"] + plan["Shared Read Blocks"] < FEW_BUFFERS


def test_the_submits_read_of_the_assignment_reads_its_task_by_key(grown):
    # given an assignment on a task far beyond what the statistics know of
    _, worker, open_id, _ = grown
    # when the submit's step-by-step read and the job check's read run for it
    for statement in (submit_sql.OWN_BY_ID, _JOB_OF_ASSIGNMENT):
        read, plan = _buffers(statement.sql, {"id": open_id, "worker": worker.pk})
        # then each reads its rows by key, not the task table from its start
        assert read < FEW_BUFFERS, plan


def _function_buffers(sql: str, params) -> int:
    """Shared buffers of one call of a database function, statements inside included (``auto_explain``)."""
    with connection.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        for setting in (
            "auto_explain.log_min_duration = 0",
            "auto_explain.log_analyze = on",
            "auto_explain.log_buffers = on",
            "auto_explain.log_format = json",
            "auto_explain.log_level = notice",
        ):
            cursor.execute(f"SET LOCAL {setting}")
        raw = cursor.connection
        del raw.notices[:]
        cursor.execute(sql, params)
        cursor.fetchall()
        cursor.execute("SET LOCAL auto_explain.log_min_duration = -1")
    plans = [json.loads(n[n.index("{") :]) for n in raw.notices if "Query Text" in n]
    (top,) = [p for p in plans if p["Query Text"].startswith("SELECT * FROM")]
    return top["Plan"]["Shared Hit Blocks"] + top["Plan"]["Shared Read Blocks"]


def test_the_one_call_submit_reads_its_rows_by_key(grown):
    # given the worker's open assignment on a task far beyond what the statistics know of
    _, worker, open_id, now = grown
    # when the one-call submit hands it in
    read = _function_buffers(
        f"SELECT * FROM {submit_sql.FUNCTION}(%s, %s, %s, %s)", [open_id, worker.pk, '{"label": "yes"}', now]
    )
    # then everything it read, its statements together, is tens of buffers
    assert read < FEW_BUFFERS


def test_the_hot_paths_functions_keep_one_plan_for_any_values():
    # given the claim and submit functions as migrated
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, proconfig FROM pg_proc WHERE proname LIKE 'crowd\\_%%' ORDER BY proname"
        )
        settings = dict(cursor.fetchall())
    # then each plans its statements once per session rather than on every call (``KEEP_PLANS``)
    assert set(settings) == {"crowd_claim_next", "crowd_claim_offered", "crowd_submit"}
    for name, config in settings.items():
        assert config == ["plan_cache_mode=force_generic_plan"], name
