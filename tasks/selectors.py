"""Reads on tasks, scoped to the caller."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import PermissionName
from campaigns.models import Campaign
from campaigns.selectors import campaign_list_for_requester, campaign_list_for_worker
from crowdplatform.errors import NotFound
from results.models import DONE_STATES, Assignment, AssignmentState

from .models import Task


def _with_counts(qs: QuerySet[Task], now: datetime) -> QuerySet[Task]:
    # Counted in the same query as the page of tasks, so a list costs the same whatever its length.
    return qs.annotate(
        submitted_count=Count("assignments", filter=Q(assignments__state__in=DONE_STATES)),
        in_progress_count=Count(
            "assignments",
            filter=Q(assignments__state=AssignmentState.ACCEPTED, assignments__expires_at__gt=now),
        ),
    )


def task_list_for_requester(
    *,
    user: User,
    campaign_id: int | None = None,
    permission: str = PermissionName.PROJECTS_READ,
    now: datetime | None = None,
) -> QuerySet[Task]:
    """Tasks of the campaigns the user may read, each with its result counts."""
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


def campaign_list_for_worker_with_availability(
    *, user: User, now: datetime | None = None
) -> QuerySet[Campaign]:
    """Campaigns the user may work on now, each with ``available_tasks`` (tasks with room that the user has
    not had, skipped ones included) and ``worker_done`` (slots the user already holds, for the cap)."""
    now = now or timezone.now()
    taken_by_me = Assignment.objects.filter(task=OuterRef("pk"), worker=user).exclude(
        state=AssignmentState.SKIPPED
    )
    available = (
        Task.objects.filter(campaign=OuterRef("pk"))
        .filter(Q(is_open=True) | Q(reopen_at__lte=now))
        .filter(~Exists(taken_by_me))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    done = (
        Assignment.objects.filter(campaign=OuterRef("pk"), worker=user)
        .filter(
            Q(state__in=[*DONE_STATES, AssignmentState.REJECTED])
            | Q(state=AssignmentState.ACCEPTED, expires_at__gt=now)
        )
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return campaign_list_for_worker(user=user).annotate(
        available_tasks=Coalesce(Subquery(available, output_field=IntegerField()), Value(0)),
        worker_done=Coalesce(Subquery(done, output_field=IntegerField()), Value(0)),
    )


def _offered_to(worker, now):
    """Tasks that may have room at ``now`` and that ``worker`` has not had (skipped ones are offered again)."""
    had = Assignment.objects.filter(task=OuterRef("pk"), worker=worker).exclude(state=AssignmentState.SKIPPED)
    return Task.objects.filter(Q(is_open=True) | Q(reopen_at__lte=now)).filter(~Exists(had))


def available_task_counts(worker, campaign_ids, *, now=None) -> dict[int, int]:
    """How many tasks of each campaign are on offer to ``worker``, in one query for all campaigns.

    The caller passes campaigns the worker may see (``campaign_list_for_worker``); campaigns without any
    task on offer are absent from the result. ``worker`` may be None for an anonymous visitor.
    """
    rows = (
        _offered_to(worker, now or timezone.now())
        .filter(campaign_id__in=list(campaign_ids))
        .values("campaign_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["campaign_id"]: row["n"] for row in rows}


def task_peek_next(*, campaign, worker, now=None):
    """The task ``task_claim_next`` would most likely give ``worker``, read without locking or claiming."""
    now = now or timezone.now()
    skipped = Exists(Assignment.objects.filter(task=OuterRef("pk"), worker=worker))
    offered = _offered_to(worker, now).filter(campaign=campaign).annotate(skipped=skipped)
    return offered.order_by("skipped", "position").first()
