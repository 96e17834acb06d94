"""Money: wallets, the double-entry ledger, deposits and adjustments, and campaign budgets.

Every movement is one ``LedgerEntry`` from a (wallet, bucket) to another, inserted in the same
transaction that changes the two balances, so the balances are always the running sum of the ledger.
Wallets are locked in primary-key order by every writer, after any campaign, task or assignment row
(parents before children, money last), so concurrent writers never deadlock.

Deposits come from the single ``external`` wallet, which is allowed to go negative: the sum of all
other balances is therefore always the sum of deposits minus withdrawals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from campaigns.models import Campaign, CampaignState
from crowdplatform.errors import Conflict, InsufficientFunds, ValidationFailed

from .models import Bucket, LedgerEntry, Wallet

CENT = Decimal("0.01")
CLOSED_CAMPAIGN_STATES = (CampaignState.FINISHED, CampaignState.CANCELLED, CampaignState.ARCHIVED)


def to_amount(value, *, field: str = "amount", allow_negative: bool = False) -> Decimal:
    """A money amount with at most two decimals; zero is never a movement."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationFailed("The amount is not a number.", code="invalid-amount", field=field) from exc
    if not amount.is_finite():
        raise ValidationFailed("The amount is not a number.", code="invalid-amount", field=field)
    # Before quantize(), which cannot hold a number this large (decimal.InvalidOperation).
    if abs(amount) >= Decimal("1e14"):
        raise ValidationFailed("The amount is too large.", code="invalid-amount", field=field)
    if amount != amount.quantize(CENT):
        raise ValidationFailed(
            "The amount must have at most two decimals.", code="invalid-amount", field=field
        )
    if amount == 0 or (amount < 0 and not allow_negative):
        raise ValidationFailed(
            "The amount must be positive." if not allow_negative else "The amount cannot be zero.",
            code="invalid-amount",
            field=field,
        )
    return amount


def default_commission_rate() -> Decimal:
    return Decimal(str(getattr(settings, "CROWD_COMMISSION_RATE", "0")))


# Wallets ----------------------------------------------------------------------------------------------


def wallet_for_user(*, user: User) -> Wallet:
    wallet = Wallet.objects.filter(user=user).first()
    if wallet is None:
        Wallet.objects.bulk_create([Wallet(kind=Wallet.Kind.USER, user=user)], ignore_conflicts=True)
        wallet = Wallet.objects.get(user=user)
    return wallet


def system_wallet(kind: str) -> Wallet:
    wallet = Wallet.objects.filter(kind=kind).first()
    if wallet is None:
        Wallet.objects.bulk_create([Wallet(kind=kind)], ignore_conflicts=True)
        wallet = Wallet.objects.get(kind=kind)
    return wallet


def wallet_ids_for_users(user_ids) -> dict[int, int]:
    """user id → wallet id, creating the missing wallets in one insert."""
    user_ids = set(user_ids)
    found = dict(Wallet.objects.filter(user_id__in=user_ids).values_list("user_id", "pk"))
    missing = user_ids - set(found)
    if missing:
        Wallet.objects.bulk_create(
            [Wallet(kind=Wallet.Kind.USER, user_id=uid) for uid in sorted(missing)], ignore_conflicts=True
        )
        found.update(Wallet.objects.filter(user_id__in=missing).values_list("user_id", "pk"))
    return found


def wallets_lock(wallet_ids) -> dict[int, Wallet]:
    """Lock wallets in primary-key order (the one order every writer uses)."""
    return {w.pk: w for w in Wallet.objects.select_for_update().filter(pk__in=set(wallet_ids)).order_by("pk")}


def add_amounts(model, pk: int, **deltas: Decimal) -> None:
    """``field = field + delta`` on a row the caller has locked.

    PostgreSQL adds exact numerics with ``F()``. SQLite keeps decimals as floats, where 4.80 - 1.20 -
    2.40 - 1.20 is a hair below zero, so there the exact sum is computed here (its single writer lock
    makes read-then-write safe).
    """
    if connection.vendor == "postgresql":
        model.objects.filter(pk=pk).update(**{f: F(f) + d for f, d in deltas.items()})
        return
    current = model.objects.filter(pk=pk).values(*deltas).get()
    model.objects.filter(pk=pk).update(
        **{f: (Decimal(str(current[f])) + d).quantize(CENT) for f, d in deltas.items()}
    )


def wallets_apply(deltas: dict[int, list[Decimal]]) -> None:
    """Add ``[available, frozen]`` deltas to locked wallets: one statement on PostgreSQL."""
    deltas = {pk: d for pk, d in deltas.items() if d[0] or d[1]}
    if not deltas:
        return
    if connection.vendor == "postgresql" and len(deltas) > 1:
        ids = sorted(deltas)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Wallet._meta.db_table} AS w "
                "SET available = w.available + d.da, frozen = w.frozen + d.df "
                "FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[]) AS d(id, da, df) WHERE w.id = d.id",
                [ids, [deltas[i][0] for i in ids], [deltas[i][1] for i in ids]],
            )
        return
    for pk in sorted(deltas):
        add_amounts(Wallet, pk, available=deltas[pk][0], frozen=deltas[pk][1])


# The ledger -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leg:
    key: str
    kind: str
    amount: Decimal
    from_wallet: int
    from_bucket: str
    to_wallet: int
    to_bucket: str


def ledger_post(
    legs: list[Leg],
    *,
    reason: str = "",
    campaign_id: int | None = None,
    assignment_id: int | None = None,
    created_by: User | None = None,
    now: datetime | None = None,
) -> list[LedgerEntry]:
    """Post movements and move the balances with them. The caller holds the transaction.

    Raises ``InsufficientFunds`` (and writes nothing) when a balance other than the external one would
    go below zero. The unique idempotency key is the last line of defence against paying twice.
    """
    legs = [leg for leg in legs if leg.amount > 0]
    if not legs:
        return []
    now = now or timezone.now()
    locked = wallets_lock({leg.from_wallet for leg in legs} | {leg.to_wallet for leg in legs})
    deltas: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for leg in legs:
        deltas[leg.from_wallet][0 if leg.from_bucket == Bucket.AVAILABLE else 1] -= leg.amount
        deltas[leg.to_wallet][0 if leg.to_bucket == Bucket.AVAILABLE else 1] += leg.amount
    for pk, (d_available, d_frozen) in deltas.items():
        wallet = locked[pk]
        if wallet.kind == Wallet.Kind.EXTERNAL:
            continue
        if wallet.available + d_available < 0 or wallet.frozen + d_frozen < 0:
            needed = -d_available if d_available < 0 else -d_frozen
            raise InsufficientFunds(
                f"Not enough money in the wallet for this operation: {needed:.2f} needed, "
                f"{wallet.available:.2f} available.",
                extra={"available": str(wallet.available), "needed": str(needed)},
            )
    entries = [
        LedgerEntry(
            idempotency_key=leg.key,
            kind=leg.kind,
            amount=leg.amount,
            from_wallet_id=leg.from_wallet,
            from_bucket=leg.from_bucket,
            to_wallet_id=leg.to_wallet,
            to_bucket=leg.to_bucket,
            reason=reason,
            campaign_id=campaign_id,
            assignment_id=assignment_id,
            created_by=created_by,
            created_at=now,
        )
        for leg in legs
    ]
    try:
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(entries)
    except IntegrityError as exc:
        keys = [leg.key for leg in legs]
        recorded = set(
            LedgerEntry.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
        )
        key = next((k for k in keys if k in recorded), keys[0])
        raise Conflict(
            "This movement was already recorded.", code="duplicate-movement", extra={"key": key}
        ) from exc
    wallets_apply(deltas)
    return entries


# Deposits and adjustments by staff ---------------------------------------------------------------------


def _replay(key: str, *, kind: str, wallet: Wallet, amount: Decimal) -> LedgerEntry | None:
    entry = LedgerEntry.objects.filter(idempotency_key=key).first()
    if entry is None:
        return None
    signed = entry.amount if entry.to_wallet_id == wallet.pk else -entry.amount
    if entry.kind != kind or wallet.pk not in (entry.to_wallet_id, entry.from_wallet_id) or signed != amount:
        raise Conflict(
            "This idempotency key was already used for a different operation.",
            code="idempotency-key-reused",
            field="idempotency_key",
        )
    return entry


def _client_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > 150:
        raise ValidationFailed(
            "An idempotency_key of 1 to 150 characters is required.",
            code="idempotency-key-required",
            field="idempotency_key",
        )
    # Client keys live in their own namespace so they can never collide with the platform's own keys.
    return f"client:{key}"


@transaction.atomic
def wallet_deposit(
    *, user: User, amount, reason: str, idempotency_key: str, by: User | None = None
) -> tuple[LedgerEntry, bool]:
    """Money paid in from outside. Returns (entry, created); a retry with the same key returns the first."""
    amount = to_amount(amount)
    if not (reason or "").strip():
        raise ValidationFailed("A reason is required.", code="reason-required", field="reason")
    key = _client_key(idempotency_key)
    wallet = wallet_for_user(user=user)
    replayed = _replay(key, kind=LedgerEntry.Kind.DEPOSIT, wallet=wallet, amount=amount)
    if replayed:
        return replayed, False
    external = system_wallet(Wallet.Kind.EXTERNAL)
    leg = Leg(
        key, LedgerEntry.Kind.DEPOSIT, amount, external.pk, Bucket.AVAILABLE, wallet.pk, Bucket.AVAILABLE
    )
    return ledger_post([leg], reason=reason.strip(), created_by=by)[0], True


@transaction.atomic
def wallet_adjust(
    *, user: User, amount, reason: str, idempotency_key: str, by: User | None = None
) -> tuple[LedgerEntry, bool]:
    """A correction of the available balance, up (from outside) or down (paid out); never below zero."""
    amount = to_amount(amount, allow_negative=True)
    if not (reason or "").strip():
        raise ValidationFailed("A reason is required.", code="reason-required", field="reason")
    key = _client_key(idempotency_key)
    wallet = wallet_for_user(user=user)
    replayed = _replay(key, kind=LedgerEntry.Kind.ADJUST, wallet=wallet, amount=amount)
    if replayed:
        return replayed, False
    external = system_wallet(Wallet.Kind.EXTERNAL)
    ends = (external.pk, wallet.pk) if amount > 0 else (wallet.pk, external.pk)
    leg = Leg(key, LedgerEntry.Kind.ADJUST, abs(amount), ends[0], Bucket.AVAILABLE, ends[1], Bucket.AVAILABLE)
    return ledger_post([leg], reason=reason.strip(), created_by=by)[0], True


def wallet_set_commission_rate(*, user: User, rate) -> Wallet:
    wallet = wallet_for_user(user=user)
    if rate is not None:
        rate = Decimal(str(rate))
        if not 0 <= rate <= 1:
            raise ValidationFailed(
                "The commission rate is a share between 0 and 1.",
                code="invalid-rate",
                field="commission_rate",
            )
    Wallet.objects.filter(pk=wallet.pk).update(commission_rate=rate)
    wallet.commission_rate = rate
    return wallet


# Campaign budgets ---------------------------------------------------------------------------------------


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
    """What a closed campaign must keep frozen: one unit for every result that may still be approved."""
    from results.models import Assignment, AssignmentState

    pending = Assignment.objects.filter(campaign_id=campaign.pk, state=AssignmentState.SUBMITTED)
    if campaign.state != CampaignState.CANCELLED:
        # Work already accepted or sent back for a redo in a finished campaign may still come in.
        pending = Assignment.objects.filter(campaign_id=campaign.pk).filter(
            state__in=[AssignmentState.SUBMITTED, AssignmentState.SOFT_REJECTED]
        ) | Assignment.objects.filter(
            campaign_id=campaign.pk, state=AssignmentState.ACCEPTED, expires_at__gt=now
        )
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
