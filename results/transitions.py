"""The one writer of an assignment's state: each change is a transition of ``results.lifecycle``, made on
one locked row (``move``), on a set of rows by one UPDATE (``sweep``, ``move_ids``), as a new row
(``create``), or by the claim's and the submit's statements, whose target states and guards are rendered
from the same table (``results.claim_sql``, ``results.submit_sql``). ``tests/results/test_lifecycle.py``
checks that no other module writes the state.
"""

from datetime import datetime

from django.db import connection
from django.db.models import QuerySet

from crowdplatform.errors import Conflict

from .lifecycle import NEW, TRANSITIONS, allowed, next_state
from .models import Assignment


def move(assignment: Assignment, action: str, *, now: datetime, refused: Conflict, params=None, **fields):
    """Make ``action`` on an assignment the caller has locked (with its campaign loaded), setting ``fields``
    too; ``refused`` is raised, with nothing written, when the lifecycle does not allow it now."""
    if not allowed(assignment, action, now=now, **(params or {})):
        raise refused
    assignment.state = TRANSITIONS[action].target
    for name, value in fields.items():
        setattr(assignment, name, value)
    assignment.save(update_fields=["state", *fields, "updated_at"])
    return assignment


def sweep(queryset: QuerySet[Assignment], action: str, *, now: datetime, **fields) -> int:
    """Make ``action`` on every assignment of ``queryset`` that the lifecycle allows it on at ``now``: one
    UPDATE; running it again finds nothing left."""
    due = queryset.filter(TRANSITIONS[action].allowed.as_q(now=now))
    return due.update(state=TRANSITIONS[action].target, updated_at=now, **fields)


def create(action: str, *, task, worker, **fields) -> tuple[Assignment, bool]:
    """Make ``action`` from ``NEW`` (no assignment yet) for ``worker`` on ``task``: (the new assignment,
    True), or (the one the worker already has, False), left as it is for the caller to judge."""
    target = next_state(NEW, action)
    if target is None:
        raise ValueError(f"{action} does not start a new assignment")
    return Assignment.objects.get_or_create(
        task=task, worker=worker, defaults={"campaign_id": task.campaign_id, "state": target, **fields}
    )


def due(queryset: QuerySet[Assignment], action: str, *, now: datetime, **params) -> QuerySet[Assignment]:
    """The assignments of ``queryset`` on which ``action`` may be made at ``now``."""
    return queryset.filter(TRANSITIONS[action].allowed.as_q(now=now, **params))


def _ids_clause(column: str, ids: list[int]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def move_ids(ids: list[int], action: str, *, now: datetime, **fields) -> int:
    """Make ``action`` on the assignments ``ids``, which the caller has locked and checked, in one UPDATE
    (SQL text: approvals run it on chunks of thousands of rows). Rows no longer in a source state of the
    action are left as they are."""
    transition = TRANSITIONS[action]
    stamp = connection.ops.adapt_datetimefield_value(now)
    where, params = _ids_clause("id", ids)
    sources = transition.stored_sources
    assignments = ", ".join(f"{Assignment._meta.get_field(name).column} = %s" for name in fields)
    at = connection.ops.adapt_datetimefield_value
    values = [at(v) if isinstance(v, datetime) else v for v in fields.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Assignment._meta.db_table} SET state = %s, updated_at = %s"
            f"{', ' + assignments if assignments else ''}"
            f" WHERE {where} AND state IN ({', '.join(['%s'] * len(sources))})",
            [transition.target, stamp, *values, *params, *sources],
        )
        return cursor.rowcount
