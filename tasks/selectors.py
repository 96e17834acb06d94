"""Reads on tasks, scoped to the caller."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from results.models import Assignment, AssignmentState

from .models import Task


def _offered_to(worker, now):
    """Tasks that may have room at ``now`` and that ``worker`` has not had (skipped ones are offered again)."""
    had = Assignment.objects.filter(task=OuterRef("pk"), worker=worker).exclude(state=AssignmentState.SKIPPED)
    return Task.objects.filter(Q(is_open=True) | Q(reopen_at__lte=now)).filter(~Exists(had))


def available_task_counts(worker, campaign_ids, *, now=None) -> dict[int, int]:
    """How many tasks of each campaign are on offer to ``worker``, in one query for all campaigns.

    The caller passes campaigns the worker may see (``campaign_list_for_worker``); campaigns without any
    task on offer are absent from the result.
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
