"""The statements of the submit's hot path, written in SQL (see ``results.claim_sql`` for why).

The rule of what may be submitted is the lifecycle's (``results.lifecycle.SUBMITTABLE``) and the task's
bookkeeping is ``results.slots``'; this module renders the statements from them: the one that reads the
worker's own assignment, the one that submits it, and on PostgreSQL the function that does both in one
round trip.
"""

import json
from datetime import datetime

from django.db import connection

from campaigns.models import CAMPAIGN_TEXTS, Campaign
from crowdplatform.predicates import Tables
from crowdplatform.sqlrows import KEEP_PLANS, Layout, Statement, inline
from tasks.jobs import JOB_ANSWERS_KEY, PINNED_TASK
from tasks.models import Task

from . import slots
from .lifecycle import SUBMITTABLE, TRANSITIONS
from .models import Assignment

# The worker's assignment with its campaign and task: what a submit checks and what it answers with.
OWN = Layout((Assignment, "a"), (Campaign, "c", CAMPAIGN_TEXTS), (Task, "t"))
_FROM_OWN = (
    " FROM results_assignment a"
    " JOIN campaigns_campaign c ON c.id = a.campaign_id JOIN tasks_task t ON t.id = a.task_id"
)
# The task is also named by the assignment's key (``tasks.jobs.PINNED_TASK`` says why).
OWN_BY_ID = Statement(
    f"SELECT {OWN.columns}{_FROM_OWN} WHERE a.id = %(id)s AND a.worker_id = %(worker)s AND {PINNED_TASK}"
)

# Submitting and redoing lead to the same state.
_SUBMITTED = TRANSITIONS["submit"].target
assert TRANSITIONS["redo"].target == _SUBMITTED

# The submit's one write: the worker's assignment, if the lifecycle lets it be handed in at ``now``. A
# parallel submit, review or sweep that changed it first leaves it unwritten.
SUBMIT = Statement(f"""
UPDATE results_assignment AS a
SET state = '{_SUBMITTED}', answers = %(answers)s, submitted_at = %(now)s, review_due_at = %(review_due)s,
    updated_at = %(now)s
FROM campaigns_campaign c
WHERE a.id = %(id)s AND a.worker_id = %(worker)s AND c.id = a.campaign_id
  AND {SUBMITTABLE.sql(Tables((Assignment, "a"), (Campaign, "c", "campaign")), now="%(now)s")}""")


def mark_submitted(assignment: Assignment, *, answers: dict, now: datetime, review_due_at: datetime) -> bool:
    """Run the submit's write on the worker's ``assignment``, and when it wrote, show it on the instance too;
    whether it wrote."""
    at = connection.ops.adapt_datetimefield_value
    params = {
        "answers": json.dumps(answers),
        "now": at(now),
        "review_due": at(review_due_at),
        "id": assignment.pk,
        "worker": assignment.worker_id,
    }
    with connection.cursor() as cursor:
        SUBMIT.execute(cursor, params)
        if cursor.rowcount != 1:
            return False
    assignment.state = _SUBMITTED
    assignment.answers = answers
    assignment.submitted_at = assignment.updated_at = now
    assignment.review_due_at = review_due_at
    return True


# On PostgreSQL the submit runs as one call of this function. It writes exactly what the steps of
# ``results.services._submit`` write: the assignment, and when its task is full, the task's open/reopen
# bookkeeping (locked first, as every writer locks the task before its assignments), since the submitted
# holder may be the one whose expiry the task waits for. It answers the assignment as stored, or no row
# when it wrote nothing, for the steps to explain why (also when a job's task is sent answers not shaped
# as a job's, which the caller did not check against the job's screens). Each statement in it takes a
# fresh snapshot, as the separate statements do, so the slot count is read after the task is locked.
FUNCTION = "crowd_submit"
SIGNATURE = f"{FUNCTION}(bigint, bigint, jsonb, timestamptz)"
_ARGUMENTS = {
    "id": "p_id",
    "worker": "p_worker",
    "answers": "p_answers",
    "now": "p_now",
    # The campaign is in the submit statement's FROM: its review window is read there.
    "review_due": "p_now + make_interval(secs => c.review_window_s)",
    "task": "v_task",
}


def function_sql() -> str:
    """``CREATE FUNCTION`` for the one-call submit (made by a migration, see ``results.dbfunctions``)."""
    return f"""
CREATE FUNCTION {FUNCTION}(p_id bigint, p_worker bigint, p_answers jsonb, p_now timestamptz)
RETURNS TABLE ({OWN.returns(connection)})
LANGUAGE plpgsql {KEEP_PLANS} AS $submit$
#variable_conflict use_column
DECLARE
    v_task bigint;
    v_full boolean;
    v_job boolean;
BEGIN
    -- The assignment, then its task, each by its key (see OWN_BY_ID for why not a join).
    SELECT a.task_id INTO v_task FROM results_assignment a WHERE a.id = p_id AND a.worker_id = p_worker;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT t.reopen_at IS NOT NULL, t.job_id IS NOT NULL INTO v_full, v_job FROM tasks_task t WHERE t.id = v_task;
    -- A job's task takes only answers shaped as a job's, which the caller has checked against its screens.
    IF v_job AND NOT p_answers ? '{JOB_ANSWERS_KEY}' THEN
        RETURN;
    END IF;
    IF v_full THEN
        PERFORM 1 FROM tasks_task t WHERE t.id = v_task FOR UPDATE;
    END IF;
    {inline(SUBMIT.sql, **_ARGUMENTS)};
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_full THEN
        {inline(slots.REFRESH.sql, **_ARGUMENTS)};
    END IF;
    RETURN QUERY SELECT {OWN.columns}{_FROM_OWN} WHERE a.id = p_id AND t.id = v_task;
END
$submit$"""


_SUBMIT_IN_ONE_CALL = Statement(f"SELECT * FROM {FUNCTION}(%(id)s, %(worker)s, %(answers)s, %(now)s)")


def submit_in_one_call(
    *, assignment_id: int, worker_id: int, answers: dict, now: datetime
) -> tuple[Assignment, Campaign, Task] | None:
    """Run the one-call submit: the assignment as stored, with its campaign and task, or None when it wrote
    nothing (not the worker's, not submittable, campaign closed)."""
    params = {"id": assignment_id, "worker": worker_id, "answers": json.dumps(answers), "now": now}
    return OWN.fetch_one(_SUBMIT_IN_ONE_CALL, params)
