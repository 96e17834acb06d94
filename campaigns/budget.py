"""Campaign budgets: what publishing freezes, what new tasks add, what closing releases.

Publishing freezes the whole budget (payment per result × results per task × tasks, plus the platform's
fee on each result) from the requester's available balance; each approval then moves one unit of it to
the worker and the platform (``results.review``), and closing the campaign gives back what no result can
claim any more. Every movement is posted through the ledger's guard (``accounts.ledger``); the campaign
row, locked by the caller, keeps ``frozen_amount`` in step, so a campaign's hold is always the sum of its
ledger entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from accounts.ledger import CENT, Leg, add_amounts, ledger_post, wallet_ids_for_users
from accounts.models import Bucket, LedgerEntry, Wallet
from accounts.wallets import default_commission_rate

from .models import Campaign, CampaignState

CLOSED_CAMPAIGN_STATES = (CampaignState.FINISHED, CampaignState.CANCELLED, CampaignState.ARCHIVED)


def campaign_payer_id(campaign: Campaign) -> int:
    return campaign.project.owner_id


def campaign_unit_cost(campaign: Campaign) -> Decimal:
    """What one approved result costs the requester: the payment plus the platform's fee on it."""
    return campaign.payment_per_result + campaign.fee_per_result


def _freeze(campaign: Campaign, amount: Decimal, key: str, *, by: User | None, now: datetime | None) -> None:
    if amount <= 0:
        return
    payer = wallet_ids_for_users([campaign_payer_id(campaign)])[campaign_payer_id(campaign)]
    leg = Leg(key, LedgerEntry.Kind.FREEZE, amount, payer, Bucket.AVAILABLE, payer, Bucket.FROZEN)
    ledger_post(
        [leg], campaign_id=campaign.pk, created_by=by, now=now, reason=f"Budget of campaign {campaign.pk}"
    )
    add_amounts(Campaign, campaign.pk, frozen_amount=amount)
    campaign.frozen_amount += amount


@dataclass(frozen=True)
class BudgetQuote:
    """What publishing freezes: the workers' payments and the platform's commission on them."""

    commission_rate: Decimal
    fee_per_result: Decimal
    payments: Decimal
    commission: Decimal

    @property
    def total(self) -> Decimal:
        return self.payments + self.commission


def campaign_budget_quote(
    *, payer: User, payment_per_result: Decimal, results_per_task: int, tasks: int
) -> BudgetQuote:
    """Budget = payment per result × results per task × tasks × (1 + commission rate), with the fee rounded
    per result so that every later payment takes exactly one unit from it. The payer's own rate, else the
    platform's default."""
    rate = Wallet.objects.filter(user=payer).values_list("commission_rate", flat=True).first()
    rate = default_commission_rate() if rate is None else rate
    payment = Decimal(str(payment_per_result))
    fee = (payment * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    results = results_per_task * tasks
    return BudgetQuote(rate, fee, payment * results, fee * results)


def campaign_budget_freeze(
    *, campaign: Campaign, by: User | None = None, now: datetime | None = None
) -> Decimal:
    """On publish (campaign locked by the caller): fix the fee per result and freeze the whole budget
    (``campaign_budget_quote``)."""
    quote = campaign_budget_quote(
        payer=campaign.project.owner,
        payment_per_result=campaign.payment_per_result,
        results_per_task=campaign.results_per_task,
        tasks=campaign.tasks_count,
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        commission_rate=quote.commission_rate, fee_per_result=quote.fee_per_result
    )
    campaign.commission_rate, campaign.fee_per_result = quote.commission_rate, quote.fee_per_result
    _freeze(campaign, quote.total, f"publish:{campaign.pk}", by=by, now=now)
    return quote.total


def campaign_budget_add_tasks(*, campaign: Campaign, count: int, by: User | None = None) -> Decimal:
    """Tasks added to a published campaign (locked by the caller, ``tasks_count`` not yet raised)."""
    if campaign.state not in (CampaignState.ACTIVE, CampaignState.PAUSED) or count <= 0:
        return Decimal(0)
    amount = campaign_unit_cost(campaign) * campaign.results_per_task * count
    _freeze(campaign, amount, f"tasks:{campaign.pk}:{campaign.tasks_count}+{count}", by=by, now=None)
    return amount


def campaign_money_needed(campaign: Campaign, now: datetime) -> Decimal:
    """What a closed campaign must keep frozen: one unit for every result that may still be approved (the
    lifecycle's ``MAY_STILL_BE_APPROVED``: in review, sent back for a redo, or in hand while the campaign
    still takes results)."""
    from results.lifecycle import MAY_STILL_BE_APPROVED
    from results.models import Assignment

    pending = Assignment.objects.filter(campaign_id=campaign.pk).filter(MAY_STILL_BE_APPROVED.as_q(now=now))
    return campaign_unit_cost(campaign) * pending.count()


def campaign_budget_release(
    *, campaign: Campaign, now: datetime | None = None, by: User | None = None
) -> Decimal:
    """Give back to the requester what a closed campaign (locked by the caller) no longer needs."""
    now = now or timezone.now()
    if campaign.state not in CLOSED_CAMPAIGN_STATES:
        return Decimal(0)
    frozen = Campaign.objects.filter(pk=campaign.pk).values_list("frozen_amount", flat=True).get()
    amount = frozen - campaign_money_needed(campaign, now)
    if amount <= 0:
        return Decimal(0)
    payer = wallet_ids_for_users([campaign_payer_id(campaign)])[campaign_payer_id(campaign)]
    # Under the campaign lock the number of earlier releases is fixed, so a retry computes the same key.
    seq = LedgerEntry.objects.filter(campaign_id=campaign.pk, kind=LedgerEntry.Kind.RELEASE).count() + 1
    leg = Leg(
        f"release:{campaign.pk}:{seq}",
        LedgerEntry.Kind.RELEASE,
        amount,
        payer,
        Bucket.FROZEN,
        payer,
        Bucket.AVAILABLE,
    )
    ledger_post(
        [leg],
        campaign_id=campaign.pk,
        created_by=by,
        now=now,
        reason=f"Campaign {campaign.pk} {campaign.state}",
    )
    add_amounts(Campaign, campaign.pk, frozen_amount=-amount)
    campaign.frozen_amount = frozen - amount
    return amount


def campaign_budget_top_up(
    *, campaign: Campaign, amount: Decimal, key: str, by: User | None = None, now: datetime | None = None
) -> None:
    """Freeze more for a campaign (locked by the caller): an overturned rejection needs a fresh unit."""
    _freeze(campaign, amount, key, by=by, now=now)
