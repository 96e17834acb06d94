"""Approving and paying: in bulk, by the auto-approval sweep, and for each decision of
``results.decisions`` (one result's approve, reject, soft-reject, overturn and quality).

Every approval, whether by a reviewer, in bulk or by the auto-approval sweep, goes through
``_approve_locked``: per chunk of locked assignments it prices each result once and posts the payments
and one commission row per campaign through the ledger's guard (``accounts.ledger.ledger_post_many``:
never below zero, each key once), and marks the assignments approved through the lifecycle
(``results.transitions.move_ids``), all in one transaction. The key ``approve:<assignment id>`` is unique
in the ledger, so a result can never be paid twice even if two writers got past the state checks.

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

from accounts.ledger import (
    Postings,
    add_amounts,
    ledger_post_many,
    system_wallet,
    wallet_ids_for_users,
    wallets_lock,
)
from accounts.models import Bucket, LedgerEntry, Wallet
from campaigns.budget import campaign_budget_top_up, campaign_unit_cost
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


def _approve_locked(
    rows: list[tuple[int, int, int]],
    *,
    now: datetime,
    reviewer: User | None = None,
    action: str = "approve",
    feedback: str = "",
) -> int:
    """Approve and pay assignments the caller has locked and checked: rows of (id, campaign_id, worker_id);
    ``action``: the lifecycle's transition to approved that this is (approve, auto_approve, overturn);
    ``feedback``: the reviewer's word to the worker, when given (it replaces an earlier one).

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

    written = {"reviewed_at": now, "reviewer_id": reviewer.pk if reviewer else None}
    if feedback:
        written["feedback"] = feedback
    for start in range(0, len(ids), CHUNK):
        move_ids(ids[start : start + CHUNK], action, now=now, **written)
    for pk in sorted(released):
        add_amounts(Campaign, pk, frozen_amount=-released[pk])
    return len(rows)


# Many results ------------------------------------------------------------------------------------------


def _approve_chunks(
    base, *, now: datetime, reviewer: User | None, order: str, action: str, feedback: str = ""
) -> int:
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
                    total += _approve_locked(
                        rows, now=now, reviewer=reviewer, action=action, feedback=feedback
                    )
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
    *,
    campaign: Campaign,
    reviewer: User | None,
    worker: User | None = None,
    feedback: str = "",
    now: datetime | None = None,
) -> int:
    """Approve every result in review in the campaign (or of one worker in it), with the reviewer's
    ``feedback`` to each worker if given; returns how many."""
    now = now or timezone.now()
    base = Assignment.objects.filter(campaign_id=campaign.pk, state=AssignmentState.SUBMITTED)
    if worker is not None:
        base = base.filter(worker=worker)
    return _approve_chunks(base, now=now, reviewer=reviewer, order="pk", action="approve", feedback=feedback)


def results_auto_approve_due(*, now: datetime | None = None) -> int:
    """The auto-approval sweep: approve and pay results whose review window has passed.

    Chunks of due rows are taken with ``SKIP LOCKED``, so two sweeps (or a sweep and a reviewer) never
    work on the same row; running it again finds nothing left to do.
    """
    now = now or timezone.now()
    base = due(Assignment.objects.all(), "auto_approve", now=now)
    return _approve_chunks(base, now=now, reviewer=None, order="review_due_at", action="auto_approve")
