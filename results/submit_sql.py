"""The statements of the submit's hot path, written in SQL (see ``tasks.claim_sql`` for why).

The rules stay in ``results.services``; this module holds the statements that read the worker's own
assignment and, on PostgreSQL, the function that submits it in one round trip.
"""

import json
from datetime import datetime

from django.db import connection, transaction

from campaigns.models import Campaign, CampaignState
from crowdplatform.sqlrows import Layout, Statement, inline
from tasks import claim_sql
from tasks.models import Task

from .models import Assignment, AssignmentState

# The worker's assignment with its campaign and task: what a submit checks and what it answers with.
OWN = Layout((Assignment, "a"), (Campaign, "c"), (Task, "t"))
_FROM_OWN = (
    " FROM results_assignment a"
    " JOIN campaigns_campaign c ON c.id = a.campaign_id JOIN tasks_task t ON t.id = a.task_id"
)
OWN_BY_ID = Statement(f"SELECT {OWN.columns}{_FROM_OWN} WHERE a.id = %s AND a.worker_id = %s")

# On PostgreSQL the common submit (the worker's own accepted, unexpired assignment, in a campaign that still
# takes results) runs as one call of this function. It writes exactly what the steps of
# ``results.services._submit`` write: the assignment, and when its task is full, the task's open/reopen
# bookkeeping (locked first, as every writer locks the task before its assignments), since the submitted
# holder may be the one whose expiry the task waits for. It answers the assignment as stored, or no row
# when it wrote nothing, for the steps to explain why. Each statement in it takes a fresh snapshot, as
# the separate statements do, so the slot count is read after the task is locked.
FUNCTION = "crowd_submit"
_ACCEPTED = f"'{AssignmentState.ACCEPTED}'"
_ARGUMENTS = {"id": "p_id", "worker": "p_worker", "answers": "p_answers", "now": "p_now"}
_SLOTS = {"task": "v_task", "now": "p_now", "false": "false"}


def function_sql() -> str:
    """``CREATE OR REPLACE FUNCTION`` for the one-call submit (installed after every ``migrate``)."""
    live = inline(claim_sql.LIVE_SLOTS.sql, **_SLOTS).replace(
        "SELECT count(*)", "SELECT count(*) INTO live", 1
    )
    return f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(p_id bigint, p_worker bigint, p_answers jsonb, p_now timestamptz)
RETURNS TABLE ({OWN.returns(connection)})
LANGUAGE plpgsql AS $submit$
#variable_conflict use_column
DECLARE
    v_task bigint;
    v_full boolean;
    locked record;
    live integer;
BEGIN
    SELECT a.task_id, t.reopen_at IS NOT NULL INTO v_task, v_full
    FROM results_assignment a JOIN tasks_task t ON t.id = a.task_id
    WHERE a.id = p_id AND a.worker_id = p_worker;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_full THEN
        SELECT t.results_needed, t.is_open, t.reopen_at INTO locked FROM tasks_task t WHERE t.id = v_task FOR UPDATE;
    END IF;
    {inline(_SUBMIT_ACCEPTED, **_ARGUMENTS)};
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_full THEN
        {live};
        IF live >= locked.results_needed THEN
            {inline(claim_sql.CLOSE.sql, **_SLOTS)};
        ELSIF NOT locked.is_open OR locked.reopen_at IS NOT NULL THEN
            UPDATE tasks_task SET is_open = true, reopen_at = NULL WHERE id = v_task;
        END IF;
    END IF;
    RETURN QUERY SELECT {OWN.columns}{_FROM_OWN} WHERE a.id = p_id;
END
$submit$"""


# The assignment's write: accepted and unexpired, in a campaign that still takes results.
_SUBMIT_ACCEPTED = f"""
UPDATE results_assignment a
SET state = '{AssignmentState.SUBMITTED}', answers = %(answers)s, submitted_at = %(now)s,
    review_due_at = %(now)s + c.review_window_s * interval '1 second', updated_at = %(now)s
FROM campaigns_campaign c
WHERE a.id = %(id)s AND a.worker_id = %(worker)s AND a.state = {_ACCEPTED} AND a.expires_at > %(now)s
  AND c.id = a.campaign_id AND c.state NOT IN ('{CampaignState.CANCELLED}', '{CampaignState.ARCHIVED}')"""


_SIGNATURE = f"{FUNCTION}(bigint, bigint, jsonb, timestamptz)"


def install_function(db) -> None:
    """Create (or bring up to date) the one-call submit on a PostgreSQL database. Its columns follow the
    models, and ``CREATE OR REPLACE`` cannot change a function's columns, so the old one is dropped first
    (in the same transaction: no session ever finds it missing)."""
    if db.vendor == "postgresql":
        with transaction.atomic(using=db.alias), db.cursor() as cursor:
            cursor.execute(f"DROP FUNCTION IF EXISTS {_SIGNATURE}")
            cursor.execute(function_sql())


_SUBMIT_IN_ONE_CALL = Statement(f"SELECT * FROM {FUNCTION}(%(id)s, %(worker)s, %(answers)s, %(now)s)")


def submit_in_one_call(
    *, assignment_id: int, worker_id: int, answers: dict, now: datetime
) -> tuple[Assignment, Campaign, Task] | None:
    """Run the one-call submit: the assignment as stored, with its campaign and task, or None when it wrote
    nothing (not the worker's, not accepted, expired, campaign closed)."""
    params = {"id": assignment_id, "worker": worker_id, "answers": json.dumps(answers), "now": now}
    return OWN.fetch_one(_SUBMIT_IN_ONE_CALL, params)
