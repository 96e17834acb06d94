"""One result's review: approve (and pay), reject, soft-reject, overturn, and its quality.

Each decision is a transition of ``results.lifecycle``; approvals pay through ``results.review``. Lock
order, as everywhere: task, assignment, campaign, then wallets in primary-key order.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from campaigns.budget import (
    CLOSED_CAMPAIGN_STATES,
    campaign_budget_release,
    campaign_budget_top_up,
    campaign_unit_cost,
)
from campaigns.models import Campaign
from crowdplatform.errors import Conflict, NotFound, ValidationFailed
from tasks.services import task_qs_for_update

from .lifecycle import REVIEW_OPEN, SUBMITTED_WORK_STATES, TRANSITIONS, allowed
from .models import Assignment
from .review import _approve_locked
from .slots import task_refresh_slots
from .transitions import move

# Work that carries a quality mark: what was submitted, whatever came of its review.
QUALITY_STATES = SUBMITTED_WORK_STATES


def overturn_window():
    return settings.CROWD_OVERTURN_WINDOW


def _lock(assignment_id: int, *, with_task: bool) -> Assignment:
    task_id = Assignment.objects.filter(pk=assignment_id).values_list("task_id", flat=True).first()
    if task_id is None:
        raise NotFound("No such result.", code="result-not-found")
    task = task_qs_for_update().get(pk=task_id) if with_task else None
    assignment = (
        Assignment.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=assignment_id)
    )
    if task is not None:
        assignment.task = task
    return assignment


def _review_refused(assignment: Assignment, action: str, now: datetime) -> Conflict:
    """Why a reject or soft-reject may not be made on it now."""
    if assignment.state not in TRANSITIONS[action].sources:
        return Conflict(
            f"Only a result in review can be rejected; this one is {assignment.state}.",
            code="not-in-review",
            extra={"state": assignment.state},
        )
    if not REVIEW_OPEN.holds(assignment, now=now):
        return Conflict(
            "The review window of this result has passed; it is approved.", code="review-window-closed"
        )
    return Conflict("This result cannot be rejected now.", code="not-in-review")


def _reason(reason) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) or reason is None else None
    if not reason:
        raise ValidationFailed("A reason is required.", code="reason-required", field="reason")
    return reason


@transaction.atomic
def assignment_approve(
    *, assignment_id: int, reviewer: User | None, feedback: str = "", now: datetime | None = None
) -> Assignment:
    """Approve a result in review (or awaiting a redo) and pay the worker, with the reviewer's ``feedback``
    to them if given. Approving twice pays once."""
    now = now or timezone.now()
    assignment = _lock(assignment_id, with_task=False)
    if assignment.state == TRANSITIONS["approve"].target:
        return assignment
    if not allowed(assignment, "approve", now=now):
        raise Conflict(
            f"Only a result in review can be approved; this one is {assignment.state}.",
            code="not-in-review",
            extra={"state": assignment.state},
        )
    _approve_locked(
        [(assignment.pk, assignment.campaign_id, assignment.worker_id)],
        now=now,
        reviewer=reviewer,
        feedback=feedback,
    )
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def assignment_reject(
    *, assignment_id: int, reviewer: User | None, reason: str, now: datetime | None = None
) -> Assignment:
    """Reject a result in review: not paid, counted against the worker, and the task's slot reopens.

    In a live campaign the result's budget stays frozen for the worker who redoes the task; in a closed
    one it goes back to the requester.
    """
    now = now or timezone.now()
    reason = _reason(reason)
    assignment = _lock(assignment_id, with_task=True)
    refused = _review_refused(assignment, "reject", now)
    move(assignment, "reject", now=now, refused=refused, feedback=reason, reviewed_at=now, reviewer=reviewer)
    task_refresh_slots(task=assignment.task, now=now)
    if assignment.campaign.state in CLOSED_CAMPAIGN_STATES:
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("project")
            .get(pk=assignment.campaign_id)
        )
        campaign_budget_release(campaign=campaign, now=now, by=reviewer)
    return assignment


@transaction.atomic
def assignment_soft_reject(
    *, assignment_id: int, reviewer: User | None, reason: str, until: datetime, now: datetime | None = None
) -> Assignment:
    """Send a result back for a redo until ``until``; the worker keeps the task and their reputation."""
    now = now or timezone.now()
    reason = _reason(reason)
    if not isinstance(until, datetime):
        raise ValidationFailed("until must be a date and time.", code="invalid-until", field="until")
    if until <= now:
        raise ValidationFailed("until must be in the future.", code="invalid-until", field="until")
    assignment = _lock(assignment_id, with_task=False)
    refused = _review_refused(assignment, "soft_reject", now)
    return move(
        assignment,
        "soft_reject",
        now=now,
        refused=refused,
        feedback=reason,
        redo_until=until,
        reviewed_at=now,
        reviewer=reviewer,
    )


@transaction.atomic
def assignment_overturn(
    *, assignment_id: int, reviewer: User | None, now: datetime | None = None
) -> Assignment:
    """Turn a rejection into an approval within ``CROWD_OVERTURN_WINDOW`` of it, paying the worker.

    The rejected result's unit was either released or kept for a replacement worker, so a fresh unit
    is frozen from the requester's available balance first (402 when it is short).
    """
    now = now or timezone.now()
    assignment = _lock(assignment_id, with_task=True)
    if assignment.state == TRANSITIONS["overturn"].target:
        return assignment
    if assignment.state not in TRANSITIONS["overturn"].sources:
        raise Conflict(
            f"Only a rejected result can be overturned; this one is {assignment.state}.",
            code="not-rejected",
            extra={"state": assignment.state},
        )
    if not allowed(assignment, "overturn", now=now, overturn_since=now - overturn_window()):
        raise Conflict("The time to overturn this rejection has passed.", code="overturn-window-closed")
    campaign = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=assignment.campaign_id)
    )
    campaign_budget_top_up(
        campaign=campaign,
        amount=campaign_unit_cost(campaign),
        key=f"overturn:{assignment.pk}",
        by=reviewer,
        now=now,
    )
    _approve_locked(
        [(assignment.pk, assignment.campaign_id, assignment.worker_id)],
        now=now,
        reviewer=reviewer,
        action="overturn",
    )
    task_refresh_slots(task=assignment.task, now=now)
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def assignment_quality_set(*, assignment_id: int, quality, by: User | None = None) -> Assignment:
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 100:
        raise ValidationFailed(
            "quality is a whole number from 0 to 100.", code="invalid-quality", field="quality"
        )
    assignment = _lock(assignment_id, with_task=False)
    if assignment.state not in QUALITY_STATES:
        raise Conflict(
            f"Only submitted work has a quality; this one is {assignment.state}.",
            code="not-submitted",
            extra={"state": assignment.state},
        )
    assignment.quality = quality
    assignment.save(update_fields=["quality", "updated_at"])
    return assignment
