"""Approving and paying: in bulk, by the auto-approval sweep, and for each decision of
``results.decisions`` (one result's approve, reject, soft-reject, overturn and quality).

Every approval, whether by a reviewer, in bulk or by the auto-approval sweep, goes through
``_approve_locked``: per chunk of locked assignments it inserts the ledger rows with one
INSERT … SELECT of payments, one commission row per campaign, moves the balances with one UPDATE and marks the
assignments approved, all in one transaction. The key ``approve:<assignment id>`` is unique in the
ledger, so a result can never be paid twice even if two writers got past the state checks.

Lock order, as everywhere: task, assignment, campaign, then wallets in primary-key order.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Bucket, LedgerEntry, Wallet
from accounts.money import (
    add_amounts,
    campaign_budget_top_up,
    campaign_unit_cost,
    system_wallet,
    wallet_ids_for_users,
    wallets_apply,
    wallets_lock,
)
from campaigns.models import Campaign
from crowdplatform.errors import InsufficientFunds

from .models import Assignment, AssignmentState
from .transitions import due, move_ids

logger = logging.getLogger(__name__)

CHUNK = 20000


def _ids_clause(column: str, ids: list[int]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _insert_payments(ids: list[int], *, now: datetime, reviewer_id: int | None) -> None:
    """One INSERT … SELECT of a payment row per assignment, priced from its campaign."""
    where, params = _ids_clause("a.id", ids)
    sql = (
        f"INSERT INTO {LedgerEntry._meta.db_table} (idempotency_key, kind, amount, from_wallet_id, from_bucket,"
        " to_wallet_id, to_bucket, reason, campaign_id, assignment_id, created_by_id, created_at)"
        " SELECT 'approve:' || CAST(a.id AS TEXT), %s, c.payment_per_result, rw.id, 'frozen', ww.id,"
        " 'available', '', a.campaign_id, a.id, %s, %s"
        f" FROM {Assignment._meta.db_table} a"
        f" JOIN {Campaign._meta.db_table} c ON c.id = a.campaign_id"
        " JOIN projects_project p ON p.id = c.project_id"
        f" JOIN {Wallet._meta.db_table} rw ON rw.user_id = p.owner_id"
        f" JOIN {Wallet._meta.db_table} ww ON ww.user_id = a.worker_id"
        f" WHERE {where} AND c.payment_per_result > 0"
    )
    head = [str(LedgerEntry.Kind.PAYMENT), reviewer_id, connection.ops.adapt_datetimefield_value(now)]
    with connection.cursor() as cursor:
        cursor.execute(sql, head + params)


def _approve_locked(
    rows: list[tuple[int, int, int]], *, now: datetime, reviewer: User | None = None, action: str = "approve"
) -> int:
    """Approve and pay assignments the caller has locked and checked: rows of (id, campaign_id, worker_id);
    ``action``: the lifecycle's transition to approved that this is (approve, auto_approve, overturn).

    Set-based: a constant number of statements however many rows there are.
    """
    if not rows:
        return 0
    ids = [r[0] for r in rows]
    per_campaign = Counter(r[1] for r in rows)
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
    deltas: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for (campaign_id, worker_id), count in Counter((r[1], r[2]) for r in rows).items():
        campaign = campaigns[campaign_id]
        deltas[wallet_of[worker_id]][0] += campaign.payment_per_result * count
        deltas[wallet_of[payer_of[campaign_id]]][1] -= campaign_unit_cost(campaign) * count
        deltas[platform][0] += campaign.fee_per_result * count
    wallets_lock(set(deltas))
    # A campaign published before money existed, or an overturn, may lack the units: freeze them first.
    for pk, count in sorted(per_campaign.items()):
        campaign = campaigns[pk]
        short = campaign_unit_cost(campaign) * count - campaign.frozen_amount
        if short > 0:
            first = min(r[0] for r in rows if r[1] == pk)
            campaign_budget_top_up(campaign=campaign, amount=short, key=f"topup:{pk}:{first}", now=now)

    reviewer_id = reviewer.pk if reviewer else None
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        _insert_payments(part, now=now, reviewer_id=reviewer_id)
        move_ids(part, action, now=now, reviewed_at=now, reviewer_id=reviewer_id)
    # The platform's commission is one entry per campaign and call (its key names the first result), not
    # one per result: the fee per result is fixed on the campaign, so nothing is lost, and the ledger
    # grows by one row per approval instead of two.
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            idempotency_key=f"commission:{pk}:{min(r[0] for r in rows if r[1] == pk)}",
            kind=LedgerEntry.Kind.COMMISSION,
            amount=campaigns[pk].fee_per_result * count,
            from_wallet_id=wallet_of[payer_of[pk]],
            from_bucket=Bucket.FROZEN,
            to_wallet_id=platform,
            to_bucket=Bucket.AVAILABLE,
            reason=f"Commission on {count} approved result(s)",
            campaign_id=pk,
            created_by_id=reviewer_id,
            created_at=now,
        )
        for pk, count in sorted(per_campaign.items())
        if campaigns[pk].fee_per_result > 0
    )
    wallets_apply(deltas)
    for pk, count in sorted(per_campaign.items()):
        add_amounts(Campaign, pk, frozen_amount=-campaign_unit_cost(campaigns[pk]) * count)
    return len(rows)


# Many results ------------------------------------------------------------------------------------------


def _approve_chunks(base, *, now: datetime, reviewer: User | None, order: str, action: str) -> int:
    """Lock due rows chunk by chunk (skipping rows another writer holds) and approve each chunk."""
    total, stuck = 0, set()
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # A chunk is one all-or-nothing transaction whose every effect is redone by the next run if
                # it is lost, so it need not wait for its WAL flush: a crash can only undo whole chunks,
                # never split a payment from its approval.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
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
                    total += _approve_locked(rows, now=now, reviewer=reviewer, action=action)
                continue
            except InsufficientFunds:
                pass
        # Some campaign in the chunk cannot pay (its requester is short): approve the others and leave those.
        for row in rows:
            try:
                with transaction.atomic():
                    locked = (
                        due(Assignment.objects.filter(pk=row[0]), action, now=now)
                        .select_for_update(skip_locked=True, of=("self",))
                        .exists()
                    )
                    total += (
                        _approve_locked([row], now=now, reviewer=reviewer, action=action) if locked else 0
                    )
            except InsufficientFunds:
                stuck.add(row[0])
                logger.warning("Result %s cannot be paid: its requester's balance is short.", row[0])


def results_approve_all(
    *, campaign: Campaign, reviewer: User | None, worker: User | None = None, now: datetime | None = None
) -> int:
    """Approve every result in review in the campaign (or of one worker in it); returns how many."""
    now = now or timezone.now()
    base = Assignment.objects.filter(campaign_id=campaign.pk, state=AssignmentState.SUBMITTED)
    if worker is not None:
        base = base.filter(worker=worker)
    return _approve_chunks(base, now=now, reviewer=reviewer, order="pk", action="approve")


def results_auto_approve_due(*, now: datetime | None = None) -> int:
    """The auto-approval sweep: approve and pay results whose review window has passed.

    Chunks of due rows are taken with ``SKIP LOCKED``, so two sweeps (or a sweep and a reviewer) never
    work on the same row; running it again finds nothing left to do.
    """
    now = now or timezone.now()
    base = due(Assignment.objects.all(), "auto_approve", now=now)
    return _approve_chunks(base, now=now, reviewer=None, order="review_due_at", action="auto_approve")
