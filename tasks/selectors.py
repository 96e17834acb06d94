"""Reads on tasks, scoped to the caller."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import PermissionName
from campaigns.models import Campaign
from campaigns.selectors import campaign_list_for_requester, campaign_list_for_worker
from crowdplatform.errors import NotFound
from crowdplatform.predicates import Tables
from results.lifecycle import CLAIMABLE_AGAIN, COUNTS_FOR_CAP, DONE_STATES, HOLDS_UNTIL_DEADLINE
from results.models import Assignment
from results.selectors import assignment_count

from .models import Task


def _with_counts(qs: QuerySet[Task], now: datetime) -> QuerySet[Task]:
    # Correlated counts, run for the rows of the page only: a join grouped by task would count every
    # assignment of the campaign first (a second per page at a million tasks).
    return qs.annotate(
        submitted_count=assignment_count("task", Q(state__in=DONE_STATES)),
        in_progress_count=assignment_count("task", HOLDS_UNTIL_DEADLINE.as_q(now=now)),
    )


def task_list_for_requester(
    *,
    user: User,
    campaign_id: int | None = None,
    permission: str = PermissionName.PROJECTS_READ,
    now: datetime | None = None,
) -> QuerySet[Task]:
    """Tasks of the campaigns the user may read, each with its result counts (staged tasks once written:
    the caller runs a ``tasks.staging.tasks_ensure_written*`` service first)."""
    campaigns = campaign_list_for_requester(user=user, permission=permission).values("pk")
    qs = Task.objects.filter(campaign__in=campaigns)
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    return _with_counts(qs, now or timezone.now()).order_by("campaign_id", "position")


def task_get_for_requester(*, user: User, pk: int, permission: str = PermissionName.PROJECTS_READ) -> Task:
    task = task_list_for_requester(user=user, permission=permission).filter(pk=pk).first()
    if task is None:
        raise NotFound("No such task.", code="task-not-found")
    return task


# Counting every task on offer would read a whole campaign for each campaign a worker sees (about a second
# per page at a million tasks); beyond this many the exact figure tells a worker nothing more.
AVAILABLE_COUNT_CAP = 1000
# A worker's own assignment that does not keep a task from being offered to them again (a skipped one).
_CLAIMABLE_AGAIN_SQL = CLAIMABLE_AGAIN.sql(Tables((Assignment, "a")))


def _available_count_sql(campaign_column: str, worker_id: int | None, now: datetime) -> tuple[str, list]:
    """A scalar SQL expression: tasks of the campaign in ``campaign_column`` on offer to the worker, counted
    up to ``AVAILABLE_COUNT_CAP``. Open tasks and full ones whose holders may have expired are counted apart
    (they never overlap), each through its own partial index and each stopping at the cap."""
    had, had_params = "", []
    if worker_id is not None:
        had = (
            " AND NOT EXISTS (SELECT 1 FROM results_assignment a WHERE a.task_id = t.id"
            f" AND a.worker_id = %s AND NOT ({_CLAIMABLE_AGAIN_SQL}))"
        )
        had_params = [worker_id]
    part = (
        "(SELECT count(*) FROM (SELECT 1 FROM tasks_task t WHERE t.campaign_id = {column} AND {where}{had}"
        f" LIMIT {AVAILABLE_COUNT_CAP}) x)"
    )
    open_part = part.format(column=campaign_column, where="t.is_open", had=had)
    due_part = part.format(column=campaign_column, where="t.reopen_at <= %s", had=had)
    total = f"{open_part} + {due_part}"
    sql = f"(CASE WHEN {total} > {AVAILABLE_COUNT_CAP} THEN {AVAILABLE_COUNT_CAP} ELSE {total} END)"
    at = connection.ops.adapt_datetimefield_value(now)
    once = [*had_params, at, *had_params]
    return sql, once + once


def campaign_list_for_worker_with_availability(
    *, user: User, now: datetime | None = None
) -> QuerySet[Campaign]:
    """Campaigns the user may work on now, each with ``available_tasks`` (tasks with room that the user has
    not had, skipped ones included, up to ``AVAILABLE_COUNT_CAP``) and ``worker_done`` (slots the user
    already holds, for the cap)."""
    now = now or timezone.now()
    done = (
        Assignment.objects.filter(campaign=OuterRef("pk"), worker=user)
        .filter(COUNTS_FOR_CAP.as_q(now=now))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    table = Campaign._meta.db_table
    available = RawSQL(*_available_count_sql(f'"{table}"."id"', user.pk, now), output_field=IntegerField())
    return campaign_list_for_worker(user=user).annotate(
        available_tasks=available,
        worker_done=Coalesce(Subquery(done, output_field=IntegerField()), Value(0)),
    )


def _offered_to(worker, now):
    """Tasks that may have room at ``now`` and that ``worker`` has not had (skipped ones are offered again)."""
    had = Assignment.objects.filter(task=OuterRef("pk"), worker=worker).exclude(CLAIMABLE_AGAIN.as_q())
    return Task.objects.filter(Q(is_open=True) | Q(reopen_at__lte=now)).filter(~Exists(had))


def available_task_counts(worker, campaign_ids, *, now=None) -> dict[int, int]:
    """How many tasks of each campaign are on offer to ``worker`` (up to ``AVAILABLE_COUNT_CAP``), in one
    query for all campaigns.

    The caller passes campaigns the worker may see (``campaign_list_for_worker``); campaigns without any
    task on offer are absent from the result. ``worker`` may be None for an anonymous visitor.
    """
    ids = list(campaign_ids)
    if not ids:
        return {}
    count, params = _available_count_sql("c.id", worker.pk if worker else None, now or timezone.now())
    sql = f"SELECT c.id, {count} FROM {Campaign._meta.db_table} c WHERE c.id IN ({', '.join(['%s'] * len(ids))})"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])
        return {campaign_id: n for campaign_id, n in cursor.fetchall() if n}


def task_peek_next(*, campaign, worker, now=None):
    """The task ``task_claim_next`` would most likely give ``worker``, read without locking or claiming."""
    now = now or timezone.now()
    # Tasks not had first; then the skipped ones, the one skipped longest ago first, as the claim goes.
    skipped_at = Assignment.objects.filter(task=OuterRef("pk"), worker=worker).values("closed_at")[:1]
    offered = _offered_to(worker, now).filter(campaign=campaign).annotate(skipped_at=Subquery(skipped_at))
    return offered.order_by(F("skipped_at").asc(nulls_first=True), "position").first()
