"""The open/full bookkeeping of tasks, written once: which assignments hold a task's slots (the lifecycle's
``HOLDS_SLOT``), and the statements that keep ``Task.is_open`` and ``Task.reopen_at`` true to them.

Claiming reads only tasks that may have room (``tasks.models.Task``). The statements here are the one
definition of that bookkeeping; the Python steps run them, and the PL/pgSQL functions of the claim and
submit (``results.claim_sql``, ``results.submit_sql``) have them written into their bodies.
"""

from datetime import datetime

from django.db import connection
from django.db.models import QuerySet

from crowdplatform.predicates import Field, Param, Tables
from crowdplatform.sqlrows import Statement
from tasks.models import Task

from .lifecycle import HOLD_DEADLINE, HOLDS_SLOT, HOLDS_UNTIL_DEADLINE
from .models import Assignment

_ASSIGNMENT = Tables((Assignment, "a"))
# A task is full when ``live`` holders (``live_slots``) fill its slots.
FULL = Field("results_needed") <= Param("live")
_TASK = Task._meta.db_table
_OF_TASK = f"FROM {Assignment._meta.db_table} a WHERE a.task_id = %(task)s"


# The task's holders are picked by FILTER, not WHERE, so that its assignments are read through the task's
# own index: given a holder's condition in WHERE, the planner may walk a state's index instead (every
# accepted assignment of the platform, and the entries that work just handed in left behind) and filter
# it by task.
_LIVE = f"count(*) FILTER (WHERE {HOLDS_SLOT.sql(_ASSIGNMENT, now='%(now)s')})"


def live_slots_sql(*, name: str = "", into: str = "") -> str:
    """How many of the task's slots are held at ``now``: ``name`` the column (`` AS live``), ``into`` where a
    PL/pgSQL body keeps it (`` INTO live``)."""
    return f"SELECT {_LIVE}{name}{into} {_OF_TASK}"


# The first moment a holder of the task stops holding it by a deadline (NULL if none does).
_FIRST_DEADLINE_OF = (
    f"min(a.{HOLD_DEADLINE}) FILTER (WHERE {HOLDS_UNTIL_DEADLINE.sql(_ASSIGNMENT, now='%(now)s')})"
)
_FIRST_DEADLINE = f"SELECT {_FIRST_DEADLINE_OF} {_OF_TASK}"

# A full task is marked so: not open, offered again when its first holder's time runs out. The claim runs it
# when the count after its own insert fills the task.
CLOSE = Statement(f"""
UPDATE {_TASK} SET is_open = %(false)s, reopen_at = ({_FIRST_DEADLINE}) WHERE id = %(task)s""")

# The bookkeeping of a locked task recomputed from its assignments, read once: open while it has room, else
# full and offered again from its first holder's deadline.
_HELD_FULL = FULL.sql(Tables((Task, _TASK)), live="held.live")
REFRESH = Statement(f"""
UPDATE {_TASK} SET is_open = NOT ({_HELD_FULL}),
    reopen_at = CASE WHEN {_HELD_FULL} THEN held.first_deadline END
FROM (SELECT {_LIVE} AS live, {_FIRST_DEADLINE_OF} AS first_deadline
      {_OF_TASK}) held
WHERE {_TASK}.id = %(task)s""")
LIVE_SLOTS = Statement(live_slots_sql())


def _at(now: datetime):
    return connection.ops.adapt_datetimefield_value(now)


def live_slots(*, task_id: int, now: datetime) -> int:
    """How many of the task's slots are held at ``now``."""
    with connection.cursor() as cursor:
        LIVE_SLOTS.execute(cursor, {"task": task_id, "now": _at(now)})
        return cursor.fetchone()[0]


def is_full(task: Task, *, live: int) -> bool:
    return FULL.holds(task, live=live)


def task_close_if_full(*, task: Task, live: int, now: datetime) -> None:
    """Mark a task the caller has locked as full when ``live`` holders fill it."""
    if is_full(task, live=live):
        with connection.cursor() as cursor:
            CLOSE.execute(cursor, {"task": task.pk, "now": _at(now), "false": False})


def task_refresh_slots(*, task: Task, now: datetime) -> Task:
    """Recompute ``is_open``/``reopen_at`` of a task the caller has locked."""
    with connection.cursor() as cursor:
        REFRESH.execute(cursor, {"task": task.pk, "now": _at(now)})
    return task


def tasks_reopen(*, task_ids: QuerySet) -> int:
    """Mark tasks one of whose holders just stopped holding (a sweep's) as open. A task that is full after
    all is mended by the claim that finds it (it counts the holders of every task it takes)."""
    return Task.objects.filter(pk__in=task_ids).update(is_open=True, reopen_at=None)
