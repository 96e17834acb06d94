"""The statements of the claim's hot path, written in SQL.

Claiming runs on every accepted task, and with the ORM most of its time went into compiling the same few
queries again and again (about 3 ms of CPU for each candidate query, against 0.3 ms to send it as text).
The rules stay in ``results.claim`` and the data they are made of (``results.lifecycle``,
``results.slots``, ``campaigns.eligibility``); this module renders the statements from them and runs them. Each is a
``crowdplatform.sqlrows.Statement`` (prepared once per PostgreSQL session). They work on PostgreSQL and
SQLite: the row lock is added only where the database has ``FOR UPDATE SKIP LOCKED``.
"""

from datetime import datetime
from functools import cache

from django.db import connection

from campaigns.eligibility import MAY_WORK
from campaigns.models import Campaign
from crowdplatform.predicates import Tables
from crowdplatform.sqlrows import KEEP_PLANS, Layout, Statement, inline
from projects.models import Project
from tasks.models import Task

from . import slots
from .lifecycle import CLAIMABLE_AGAIN, TRANSITIONS
from .models import Assignment, AssignmentState

_CLAIM = TRANSITIONS["claim"]
# The worker's own assignments on a task that a claim takes up again (skipped ones).
_TAKEN_AGAIN = CLAIMABLE_AGAIN.sql(Tables((Assignment, "a")))

_TASK = Layout((Task, "t"))
_MINE = "SELECT 1 FROM results_assignment a WHERE a.task_id = t.id AND a.worker_id = %(worker)s"
# Keeps PostgreSQL from turning "not had by the worker" into a join: it then reads the worker's assignments
# ahead of the pick, all of them, kept in memory, and compares each candidate task with each (6.5 ms and
# 2,700 buffers for a worker with 3,000 assignments, whose statistics said one). Fenced, it looks up the
# (task, worker) key of each candidate it passes, in index order, and stops at the first free one (0.2 ms,
# 80 buffers). ``OFFSET 0`` is PostgreSQL's documented way to keep a subquery from being pulled up.
_FENCE = " OFFSET 0"
# The position of the furthest task the worker has had in the campaign (NULL if none): the largest task id
# among the worker's assignments there, one backward step in the (worker, state, campaign, task) index for
# each state. Task ids grow with positions within a campaign (ingest appends), and where they did not this
# would only move where the ahead pick starts, not what is found in the end.
_HAD_MAX = " UNION ALL ".join(
    f"SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = %(worker)s"
    f" AND a.state = '{state}' AND a.campaign_id = %(campaign)s) AS m"
    for state in AssignmentState.values
)
_FRONTIER = f"(SELECT f.position FROM tasks_task f WHERE f.id = (SELECT max(m) FROM ({_HAD_MAX}) had))"
# How far past the campaign's first open task the near pick looks (in positions) before the ahead pick.
NEAR = 100
_FIRST_OPEN = "(SELECT min(o.position) FROM tasks_task o WHERE o.campaign_id = %(campaign)s AND o.is_open)"
# The task to take: the first whose holders may have expired (the oldest work), else the first open one in
# order that the worker has not had, looked for among the first open ones of the campaign (near), then past
# the furthest task the worker has had (ahead), then anywhere. Narrow picks instead of one OR, so each uses
# its own partial index; all in one statement, each run only when the ones before it find nothing. Each
# pick locks the row it returns and passes over rows another transaction holds.
# Near and ahead are what keep a claim cheap for a worker far in front of the others on a campaign of
# several results per task: the open tasks they already had stay open until others fill them, and a pick
# through the campaign from its first open task passes over every one of them (about 1 µs each) on every
# claim. Near finds the work of a crowd moving through the campaign together at the cost of the old single
# pick; ahead starts past the worker's frontier. Open tasks between the two that the worker has not had
# (given back by someone, or locked by another claim as the worker went by) come to them once nothing is
# open ahead, and meanwhile to every worker not yet past them.
_PICK = """(SELECT t.id FROM tasks_task t
WHERE t.campaign_id = %(campaign)s AND {where} AND {mine}
ORDER BY {order}
LIMIT 1{lock})"""
_DUE = {"where": "t.reopen_at <= %(now)s", "order": "t.reopen_at, t.position"}
# Near starts at the first open task, which the partial index of open tasks finds at once: given only
# ``is_open``, PostgreSQL may walk the campaign's (campaign, position) index from its first task through every
# closed one when its statistics still say that all are open (4,500 closed tasks, 1,300 buffers per claim).
_NEAR = {
    "where": f"t.is_open AND t.position >= {_FIRST_OPEN} AND t.position < {_FIRST_OPEN} + {NEAR}",
    "order": "t.position",
}
_AHEAD = {"where": f"t.is_open AND t.position > COALESCE({_FRONTIER}, -1)", "order": "t.position"}
_OPEN = {"where": f"t.is_open AND t.position >= {_FIRST_OPEN}", "order": "t.position"}
_CANDIDATE = "SELECT {columns}{into} FROM tasks_task t WHERE t.id = COALESCE({picks})"

# A task the worker skipped that may have room again, the one skipped longest ago first (so that skipping
# through them goes round all of them rather than back to the first one), from the worker's own skipped
# assignments in the (worker, state, campaign, task) index.
_SKIPPED_PICK = f"""(SELECT t.id FROM results_assignment a JOIN tasks_task t ON t.id = a.task_id
WHERE a.worker_id = %(worker)s AND {_TAKEN_AGAIN} AND a.campaign_id = %(campaign)s
  AND (t.is_open OR t.reopen_at <= %(now)s)
ORDER BY a.closed_at, t.position
LIMIT 1{{lock}})"""


def _candidate_sql(*, skipped: bool, into: str = "") -> str:
    """The candidate task's statement (``into``: `` INTO picked`` in a PL/pgSQL body)."""
    if skipped:
        lock = " FOR UPDATE OF t SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
        return (
            f"SELECT {_TASK.columns}{into} FROM tasks_task t WHERE t.id = {_SKIPPED_PICK.format(lock=lock)}"
        )
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    mine = f"NOT EXISTS ({_MINE}{_FENCE if connection.vendor == 'postgresql' else ''})"
    sql = ", ".join(_PICK.format(mine=mine, lock=lock, **pick) for pick in (_DUE, _NEAR, _AHEAD, _OPEN))
    return _CANDIDATE.format(columns=_TASK.columns, into=into, picks=sql)


@cache
def _candidate(*, skipped: bool) -> Statement:
    return Statement(_candidate_sql(skipped=skipped))


@cache
def _lock() -> Statement:
    sql = f"SELECT {_TASK.columns} FROM tasks_task t WHERE t.id = %s"
    return Statement(sql + " FOR UPDATE" if connection.features.has_select_for_update else sql)


def _at(now: datetime):
    return connection.ops.adapt_datetimefield_value(now)


def next_free_task(*, campaign_id: int, worker_id: int, now: datetime, skipped: bool) -> Task | None:
    """Lock and return the first task of the campaign that may have room and that the worker has not had
    (``skipped``: that the worker skipped); a task another transaction holds is passed over."""
    params = {"campaign": campaign_id, "worker": worker_id, "now": _at(now)}
    found = _TASK.fetch_one(_candidate(skipped=skipped), params)
    return None if found is None else found[0]


def lock(*, task_id: int) -> Task:
    """The task, locked until the end of the transaction (waiting for another holder of the lock)."""
    return _TASK.fetch_one(_lock(), [task_id])[0]


# The claim's write: the worker's new assignment, in the state the lifecycle's claim leads to.
_INSERT = f"""
INSERT INTO results_assignment (task_id, campaign_id, worker_id, state, answers, accepted_at, expires_at,
                                feedback, updated_at)
VALUES (%(task)s, %(campaign)s, %(worker)s, '{_CLAIM.target}', '{{}}', %(now)s, %(expires)s, '', %(now)s)
RETURNING id"""
_INSERT_ACCEPTED = Statement(_INSERT)


def accepted(*, task: Task, campaign: Campaign, worker, now: datetime, expires_at: datetime) -> Assignment:
    """The assignment a claim's insert wrote, as an instance (without reading it back)."""
    return Assignment(
        task=task,
        worker=worker,
        campaign=campaign,
        state=_CLAIM.target,
        accepted_at=now,
        expires_at=expires_at,
        updated_at=now,
    )


def insert_accepted(
    *, task_id: int, campaign_id: int, worker_id: int, now: datetime, expires_at: datetime
) -> int:
    """Insert the worker's accepted assignment on the task and return its id. A second one of the same worker
    on the task raises ``IntegrityError`` (the unique (task, worker) constraint)."""
    params = {
        "task": task_id,
        "campaign": campaign_id,
        "worker": worker_id,
        "now": _at(now),
        "expires": _at(expires_at),
    }
    with connection.cursor() as cursor:
        _INSERT_ACCEPTED.execute(cursor, params)
        return cursor.fetchone()[0]


# On PostgreSQL the common claim (a task the worker has not had, with room, taken and closed when full) runs
# as one call of a function built from the statements above, so the whole transaction costs one round trip
# instead of six. The function answers what it did; whatever it does not do (no task left, a task whose
# bookkeeping is out of date, a skipped task to revive) it leaves untouched for the steps above. Each
# statement in it takes a fresh snapshot, as the separate statements do, so the slot count is read after
# the task is locked.
FUNCTION = "crowd_claim_next"
TAKEN, NONE, STALE = "taken", "none", "stale"
_ARGUMENTS = {
    "campaign": "p_campaign",
    "worker": "p_worker",
    "now": "p_now",
    "expires": "p_expires",
    "task": "picked.id",
    "false": "false",
}


_PICKED = Tables((Task, "picked"))


def _in_function(sql: str) -> str:
    return inline(sql, **_ARGUMENTS)


def function_sql() -> str:
    """``CREATE FUNCTION`` for the one-call claim (made by a migration, see ``results.dbfunctions``)."""
    return f"""
CREATE FUNCTION {FUNCTION}(p_campaign bigint, p_worker bigint, p_now timestamptz, p_expires timestamptz)
RETURNS TABLE (outcome text, assignment_id bigint, task_id bigint, task_position integer, task_input jsonb,
               task_results_needed integer)
LANGUAGE plpgsql {KEEP_PLANS} AS $claim$
#variable_conflict use_column
DECLARE
    picked record;
    live integer;
    taken bigint;
BEGIN
    {_in_function(_candidate_sql(skipped=False, into=" INTO picked"))};
    IF NOT FOUND THEN
        RETURN QUERY SELECT '{NONE}'::text, NULL::bigint, NULL::bigint, NULL::integer, NULL::jsonb, NULL::integer;
        RETURN;
    END IF;
    {_in_function(slots.live_slots_sql(into=" INTO live"))};
    IF {slots.FULL.sql(_PICKED, live="live")} THEN
        RETURN QUERY SELECT '{STALE}'::text, NULL::bigint, picked.id, NULL::integer, NULL::jsonb, NULL::integer;
        RETURN;
    END IF;
    {_in_function(_INSERT)} INTO taken;
    IF {slots.FULL.sql(_PICKED, live="live + 1")} THEN
        {_in_function(slots.CLOSE.sql)};
    END IF;
    RETURN QUERY SELECT '{TAKEN}'::text, taken, picked.id, picked.position::integer, picked.input,
                        picked.results_needed::integer;
END
$claim$"""


# The campaign's read folded into the same round trip, for the campaigns most claims go to: no cap per
# worker, nothing staged. The campaign's eligibility is ``campaigns.eligibility.MAY_WORK`` rendered as
# SQL; a campaign that does not pass, or has a cap or staged tasks, answers ``CHECK`` and the claim takes
# the full path, which reads the campaign and says precisely why it cannot be worked on.
CHECKED_FUNCTION = "crowd_claim_offered"
CHECK = "check"
_CAMPAIGN_TABLES = Tables((Campaign, "c"), (Project, "p", "project"))


def checked_function_sql() -> str:
    """``CREATE FUNCTION`` for the claim that checks its campaign in the same call: the campaign's
    eligibility rendered from ``campaigns.eligibility.MAY_WORK``."""
    may_work = MAY_WORK.sql(_CAMPAIGN_TABLES, now="p_now", worker="p_worker", anonymous="p_anonymous")
    return f"""
CREATE FUNCTION {CHECKED_FUNCTION}(p_campaign bigint, p_worker bigint, p_now timestamptz,
                                   p_anonymous boolean)
RETURNS TABLE (outcome text, assignment_id bigint, task_id bigint, task_position integer, task_input jsonb,
               task_results_needed integer, campaign_name text, expires timestamptz)
LANGUAGE plpgsql {KEEP_PLANS} AS $offered$
DECLARE
    offered record;
    v_expires timestamptz;
BEGIN
    SELECT c.name, c.time_allowed_s INTO offered
    FROM {Campaign._meta.db_table} c JOIN {Project._meta.db_table} p ON p.id = c.project_id
    WHERE c.id = p_campaign AND {may_work}
      AND c.max_results_per_worker IS NULL AND c.tasks_staged = 0;
    IF NOT FOUND THEN
        RETURN QUERY SELECT '{CHECK}'::text, NULL::bigint, NULL::bigint, NULL::integer, NULL::jsonb,
                            NULL::integer, NULL::text, NULL::timestamptz;
        RETURN;
    END IF;
    v_expires := p_now + make_interval(secs => offered.time_allowed_s);
    RETURN QUERY SELECT n.outcome, n.assignment_id, n.task_id, n.task_position, n.task_input,
                        n.task_results_needed, offered.name::text, v_expires
                 FROM {FUNCTION}(p_campaign, p_worker, p_now, v_expires) n;
END
$offered$"""


_CLAIM_IN_ONE_CALL = Statement(
    f"SELECT outcome, assignment_id, task_id, task_position, task_input, task_results_needed"
    f" FROM {FUNCTION}(%(campaign)s, %(worker)s, %(now)s, %(expires)s)"
)
_TAKEN_TASK_FIELDS = ["id", "position", "input", "results_needed"]
_INPUT = Task._meta.get_field("input")


def one_call_available() -> bool:
    """Whether the common claim and submit run in one round trip each (PostgreSQL: the claim function here,
    and the submit function in ``results.submit_sql``)."""
    return connection.vendor == "postgresql"


_CLAIM_OFFERED = Statement(
    "SELECT outcome, assignment_id, task_id, task_position, task_input, task_results_needed, campaign_name,"
    f" expires FROM {CHECKED_FUNCTION}(%(campaign)s, %(worker)s, %(now)s, %(anonymous)s)"
)


def claim_offered_in_one_call(
    *, campaign_id: int, worker_id: int, anonymous: bool, now: datetime
) -> tuple[str, int | None, Task | None, str | None, datetime | None]:
    """Check the campaign and run the one-call claim, in one round trip: (outcome, assignment id, task,
    campaign name, expiry); only ``TAKEN`` wrote anything, ``CHECK`` read nothing but the campaign."""
    params = {"campaign": campaign_id, "worker": worker_id, "now": now, "anonymous": anonymous}
    with connection.cursor() as cursor:
        _CLAIM_OFFERED.execute(cursor, params)
        outcome, assignment_id, *values, campaign_name, expires_at = cursor.fetchone()
    if outcome != TAKEN:
        return outcome, None, None, None, None
    return outcome, assignment_id, _taken_task(values, campaign_id), campaign_name, expires_at


def _taken_task(values: list, campaign_id: int) -> Task:
    values[2] = _INPUT.from_db_value(values[2], None, connection)
    # The fields the claim's answer needs; the others are loaded if something asks for them.
    task = Task.from_db(connection.alias, _TAKEN_TASK_FIELDS, values)
    task.campaign_id = campaign_id
    return task


def claim_in_one_call(
    *, campaign_id: int, worker_id: int, now: datetime, expires_at: datetime
) -> tuple[str, int | None, Task | None]:
    """Run the one-call claim: (``TAKEN``, the new assignment's id, the task) or (``NONE``/``STALE``, None,
    None), in which case nothing was written. A second assignment of the worker on the task raises
    ``IntegrityError`` (the unique (task, worker) constraint), also with nothing written."""
    params = {"campaign": campaign_id, "worker": worker_id, "now": now, "expires": expires_at}
    with connection.cursor() as cursor:
        _CLAIM_IN_ONE_CALL.execute(cursor, params)
        outcome, assignment_id, *values = cursor.fetchone()
    if outcome != TAKEN:
        return outcome, None, None
    return outcome, assignment_id, _taken_task(values, campaign_id)
