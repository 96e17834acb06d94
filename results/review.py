"""Review of submitted work: approve (and pay), reject, soft-reject, overturn, quality, and the sweeps.

Every approval, whether by a reviewer, in bulk or by the auto-approval sweep, goes through
``_approve_locked``: per chunk of locked assignments it prices each result once and posts the payments
and one commission row per campaign through the ledger's guard (``accounts.ledger.ledger_post_many``:
never below zero, each key once), and marks the assignments approved, all in one transaction. The key
``approve:<assignment id>`` is unique in the ledger, so a result can never be paid twice even if two
writers got past the state checks.

Lock order, as everywhere: task, assignment, campaign, then wallets in primary-key order.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from accounts.ledger import (
    Postings,
    add_amounts,
    ledger_post_many,
    system_wallet,
    wallet_ids_for_users,
    wallets_lock,
)
from accounts.models import Bucket, LedgerEntry, Wallet
from campaigns.budget import (
    CLOSED_CAMPAIGN_STATES,
    campaign_budget_release,
    campaign_budget_top_up,
    campaign_unit_cost,
)
from campaigns.models import Campaign
from crowdplatform.errors import Conflict, InsufficientFunds, NotFound, ValidationFailed
from tasks.models import Task
from tasks.services import task_qs_for_update, task_refresh_slots

from .models import Assignment, AssignmentState

logger = logging.getLogger(__name__)

CHUNK = 20000
IN_REVIEW = AssignmentState.SUBMITTED
REVIEWED_STATES = (AssignmentState.APPROVED, AssignmentState.REJECTED)
QUALITY_STATES = (
    AssignmentState.SUBMITTED,
    AssignmentState.APPROVED,
    AssignmentState.REJECTED,
    AssignmentState.SOFT_REJECTED,
)


def overturn_window():
    return settings.CROWD_OVERTURN_WINDOW


def _ids_clause(column: str, ids: list[int]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _approve_locked(rows: list[tuple[int, int, int]], *, now: datetime, reviewer: User | None = None) -> int:
    """Approve and pay assignments the caller has locked and checked: rows of (id, campaign_id, worker_id).

    Each result is priced once, from its campaign (the payment to the worker, the fee to the platform),
    and the money goes through the ledger's guard in one ``ledger_post_many``: never below zero, never
    twice (key ``approve:<id>``). Set-based: a constant number of statements however many rows there are.
    """
    if not rows:
        return 0
    ids = [r[0] for r in rows]
    per_campaign = Counter(r[1] for r in rows)
    first_of: dict[int, int] = {}
    for assignment_id, campaign_id, _ in rows:
        first_of[campaign_id] = min(assignment_id, first_of.get(campaign_id, assignment_id))
    campaigns = {
        c.pk: c
        for c in Campaign.objects.select_for_update(of=("self",))
        .select_related("project")
        .filter(pk__in=per_campaign)
        .order_by("pk")
    }
    payer_of = {pk: c.project.owner_id for pk, c in campaigns.items()}
    wallet_of = wallet_ids_for_users({r[2] for r in rows} | set(payer_of.values()))
    platform = system_wallet(Wallet.Kind.PLATFORM).pk
    # Every wallet that moves is locked here, in primary-key order, before a top-up locks a payer's alone.
    wallets_lock({*wallet_of.values(), platform})
    # A campaign published before money existed, or an overturn, may lack the units: freeze them first.
    for pk, count in sorted(per_campaign.items()):
        campaign = campaigns[pk]
        short = campaign_unit_cost(campaign) * count - campaign.frozen_amount
        if short > 0:
            campaign_budget_top_up(campaign=campaign, amount=short, key=f"topup:{pk}:{first_of[pk]}", now=now)

    price_of = {pk: campaign.payment_per_result for pk, campaign in campaigns.items()}
    payer_wallet_of = {pk: wallet_of[payer] for pk, payer in payer_of.items()}
    payments = Postings(LedgerEntry.Kind.PAYMENT, Bucket.FROZEN, Bucket.AVAILABLE)
    payments.extend(
        [f"approve:{r[0]}" for r in rows],
        [price_of[r[1]] for r in rows],
        [payer_wallet_of[r[1]] for r in rows],
        [wallet_of[r[2]] for r in rows],
        campaign_ids=[r[1] for r in rows],
        assignment_ids=ids,
    )
    # The platform's commission is one entry per campaign and call (its key names the first result), not
    # one per result: the fee per result is fixed on the campaign, so nothing is lost, and the ledger
    # grows by one row per approval instead of two.
    commissions = []
    for pk, count in sorted(per_campaign.items()):
        batch = Postings(
            LedgerEntry.Kind.COMMISSION,
            Bucket.FROZEN,
            Bucket.AVAILABLE,
            reason=f"Commission on {count} approved result(s)",
        )
        batch.add(
            f"commission:{pk}:{first_of[pk]}",
            campaigns[pk].fee_per_result * count,
            wallet_of[payer_of[pk]],
            platform,
            campaign_id=pk,
        )
        commissions.append(batch)
    ledger_post_many([payments, *commissions], created_by=reviewer, now=now)
    # What left each campaign's hold is what was just posted from it.
    released: dict[int, Decimal] = defaultdict(Decimal)
    for batch in (payments, *commissions):
        for campaign_id, amount in zip(batch.campaign_ids, batch.amounts, strict=True):
            released[campaign_id] += amount

    reviewer_id = reviewer.pk if reviewer else None
    stamp = connection.ops.adapt_datetimefield_value(now)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        where, params = _ids_clause("id", part)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Assignment._meta.db_table} SET state = %s, reviewed_at = %s, reviewer_id = %s,"
                f" updated_at = %s WHERE {where}",
                [str(AssignmentState.APPROVED), stamp, reviewer_id, stamp, *params],
            )
    for pk in sorted(released):
        add_amounts(Campaign, pk, frozen_amount=-released[pk])
    return len(rows)


# One result ---------------------------------------------------------------------------------------------


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


def _check_review_open(assignment: Assignment, now: datetime) -> None:
    if assignment.state != IN_REVIEW:
        raise Conflict(
            f"Only a result in review can be rejected; this one is {assignment.state}.",
            code="not-in-review",
            extra={"state": assignment.state},
        )
    if assignment.review_due_at is not None and assignment.review_due_at <= now:
        raise Conflict(
            "The review window of this result has passed; it is approved.", code="review-window-closed"
        )


def _reason(reason) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) or reason is None else None
    if not reason:
        raise ValidationFailed("A reason is required.", code="reason-required", field="reason")
    return reason


@transaction.atomic
def result_approve(*, assignment_id: int, reviewer: User | None, now: datetime | None = None) -> Assignment:
    """Approve a result in review (or awaiting a redo) and pay the worker. Approving twice pays once."""
    now = now or timezone.now()
    assignment = _lock(assignment_id, with_task=False)
    if assignment.state == AssignmentState.APPROVED:
        return assignment
    if assignment.state not in (AssignmentState.SUBMITTED, AssignmentState.SOFT_REJECTED):
        raise Conflict(
            f"Only a result in review can be approved; this one is {assignment.state}.",
            code="not-in-review",
            extra={"state": assignment.state},
        )
    _approve_locked(
        [(assignment.pk, assignment.campaign_id, assignment.worker_id)], now=now, reviewer=reviewer
    )
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def result_reject(
    *, assignment_id: int, reviewer: User | None, reason: str, now: datetime | None = None
) -> Assignment:
    """Reject a result in review: not paid, counted against the worker, and the task's slot reopens.

    In a live campaign the result's budget stays frozen for the worker who redoes the task; in a closed
    one it goes back to the requester.
    """
    now = now or timezone.now()
    reason = _reason(reason)
    assignment = _lock(assignment_id, with_task=True)
    _check_review_open(assignment, now)
    assignment.state = AssignmentState.REJECTED
    assignment.feedback = reason
    assignment.reviewed_at = now
    assignment.reviewer = reviewer
    assignment.save(update_fields=["state", "feedback", "reviewed_at", "reviewer", "updated_at"])
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
def result_soft_reject(
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
    _check_review_open(assignment, now)
    assignment.state = AssignmentState.SOFT_REJECTED
    assignment.feedback = reason
    assignment.redo_until = until
    assignment.reviewed_at = now
    assignment.reviewer = reviewer
    assignment.save(
        update_fields=["state", "feedback", "redo_until", "reviewed_at", "reviewer", "updated_at"]
    )
    return assignment


@transaction.atomic
def result_overturn(*, assignment_id: int, reviewer: User | None, now: datetime | None = None) -> Assignment:
    """Turn a rejection into an approval within ``CROWD_OVERTURN_WINDOW`` of it, paying the worker.

    The rejected result's unit was either released or kept for a replacement worker, so a fresh unit
    is frozen from the requester's available balance first (402 when it is short).
    """
    now = now or timezone.now()
    assignment = _lock(assignment_id, with_task=True)
    if assignment.state == AssignmentState.APPROVED:
        return assignment
    if assignment.state != AssignmentState.REJECTED:
        raise Conflict(
            f"Only a rejected result can be overturned; this one is {assignment.state}.",
            code="not-rejected",
            extra={"state": assignment.state},
        )
    if assignment.reviewed_at is None or assignment.reviewed_at + overturn_window() < now:
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
        [(assignment.pk, assignment.campaign_id, assignment.worker_id)], now=now, reviewer=reviewer
    )
    task_refresh_slots(task=assignment.task, now=now)
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def result_quality_set(*, assignment_id: int, quality, by: User | None = None) -> Assignment:
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


# Many results ------------------------------------------------------------------------------------------


def _approve_chunks(base, *, now: datetime, reviewer: User | None, order: str) -> int:
    """Lock due rows chunk by chunk (skipping rows another writer holds) and approve each chunk."""
    total, stuck = 0, set()
    while True:
        with transaction.atomic():
            rows = list(
                base.exclude(pk__in=stuck)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by(order)
                .values_list("pk", "campaign_id", "worker_id")[:CHUNK]
            )
            if not rows:
                return total
            try:
                with transaction.atomic():
                    total += _approve_locked(rows, now=now, reviewer=reviewer)
                continue
            except InsufficientFunds:
                pass
        # Some campaign in the chunk cannot pay (its requester is short): approve the others and leave those.
        for row in rows:
            try:
                with transaction.atomic():
                    locked = (
                        Assignment.objects.select_for_update(skip_locked=True, of=("self",))
                        .filter(pk=row[0], state=IN_REVIEW)
                        .exists()
                    )
                    total += _approve_locked([row], now=now, reviewer=reviewer) if locked else 0
            except InsufficientFunds:
                stuck.add(row[0])
                logger.warning("Result %s cannot be paid: its requester's balance is short.", row[0])


def results_approve_all(
    *, campaign: Campaign, reviewer: User | None, worker: User | None = None, now: datetime | None = None
) -> int:
    """Approve every result in review in the campaign (or of one worker in it); returns how many."""
    now = now or timezone.now()
    base = Assignment.objects.filter(campaign_id=campaign.pk, state=IN_REVIEW)
    if worker is not None:
        base = base.filter(worker=worker)
    return _approve_chunks(base, now=now, reviewer=reviewer, order="pk")


def results_auto_approve_due(*, now: datetime | None = None) -> int:
    """The auto-approval sweep: approve and pay results whose review window has passed.

    Chunks of due rows are taken with ``SKIP LOCKED``, so two sweeps (or a sweep and a reviewer) never
    work on the same row; running it again finds nothing left to do.
    """
    now = now or timezone.now()
    base = Assignment.objects.filter(state=IN_REVIEW, review_due_at__lte=now)
    return _approve_chunks(base, now=now, reviewer=None, order="review_due_at")


@transaction.atomic
def results_close_redo_due(*, now: datetime | None = None) -> int:
    """Close redo windows that passed without a new submission.

    A soft rejection promises no damage to the worker's reputation, so the result is neither rejected
    nor paid: it becomes ``expired`` (not counted as reviewed) and its task's slot reopens for another
    worker. Tasks are updated before assignments, the parent-then-child order of every writer.
    """
    now = now or timezone.now()
    due = Assignment.objects.filter(state=AssignmentState.SOFT_REJECTED, redo_until__lte=now)
    Task.objects.filter(pk__in=due.values("task_id")).update(is_open=True, reopen_at=None)
    return due.update(state=AssignmentState.EXPIRED, closed_at=now, updated_at=now)
