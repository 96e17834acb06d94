"""The ledger and its guard: every movement of money, one posting or a hundred thousand, is written here.

Every movement is one ``LedgerEntry`` from a (wallet, bucket) to another, inserted in the same
transaction that changes the two balances, so the balances are always the running sum of the ledger.
The guard is the same for ``ledger_post`` (a few legs) and ``ledger_post_many`` (a sweep's columns):

- wallets are locked in primary-key order, after any campaign, task or assignment row the caller holds
  (parents before children, money last), so concurrent writers never deadlock;
- no balance other than the external one may go below zero (``InsufficientFunds``, nothing written);
- every entry carries a unique idempotency key: a movement recorded before is refused
  (``Conflict`` ``duplicate-movement``, nothing written), so nothing is ever paid twice.

Deposits come from the single ``external`` wallet, which is allowed to go negative: the sum of all
other balances is therefore always the sum of deposits minus withdrawals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from crowdplatform.errors import Conflict, InsufficientFunds, ValidationFailed

from .models import Bucket, LedgerEntry, Wallet

CENT = Decimal("0.01")
# Rows per INSERT of a batch: big enough that statements are few, small enough to keep each one's
# parameters a few MB.
INSERT_ROWS = 20000


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
    if abs(amount) >= Decimal("1e14"):
        raise ValidationFailed("The amount is too large.", code="invalid-amount", field=field)
    return amount


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


def _wallets_apply(deltas: dict[int, list[Decimal]]) -> None:
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
                [
                    _plain_array(ids),
                    _plain_array([deltas[i][0] for i in ids]),
                    _plain_array([deltas[i][1] for i in ids]),
                ],
            )
        return
    for pk in sorted(deltas):
        add_amounts(Wallet, pk, available=deltas[pk][0], frozen=deltas[pk][1])


# The guard --------------------------------------------------------------------------------------------


Deltas = dict[int, list[Decimal]]


def _new_deltas() -> Deltas:
    return defaultdict(lambda: [Decimal(0), Decimal(0)])


def _lock_and_check(deltas: Deltas) -> None:
    """Lock every wallet that moves, in primary-key order, and refuse a movement that would take a
    balance (other than the external one) below zero."""
    locked = wallets_lock(deltas)
    for pk, (d_available, d_frozen) in sorted(deltas.items()):
        wallet = locked[pk]
        if wallet.kind == Wallet.Kind.EXTERNAL:
            continue
        if wallet.available + d_available < 0 or wallet.frozen + d_frozen < 0:
            short_available = wallet.available + d_available < 0
            needed = -d_available if short_available else -d_frozen
            have = wallet.available if short_available else wallet.frozen
            raise InsufficientFunds(
                f"Not enough money in the wallet for this operation: {needed:.2f} needed, "
                f"{have:.2f} {'available' if short_available else 'frozen'}.",
                extra={"available": str(wallet.available), "needed": str(needed)},
            )


def _refuse_recorded(keys: list[str], exc: IntegrityError):
    """After a failed insert: name a key that is already in the ledger (the idempotency check)."""
    recorded = set()
    for start in range(0, len(keys), INSERT_ROWS):
        part = keys[start : start + INSERT_ROWS]
        recorded.update(
            LedgerEntry.objects.filter(idempotency_key__in=part).values_list("idempotency_key", flat=True)
        )
    if not recorded and len(set(keys)) == len(keys):
        raise exc
    key = next((k for k in keys if k in recorded), None)
    if key is None:  # the same key twice in one call
        seen: set[str] = set()
        key = next(k for k in keys if k in seen or seen.add(k))
    raise Conflict(
        "This movement was already recorded.", code="duplicate-movement", extra={"key": key}
    ) from exc


# One call, a few legs -------------------------------------------------------------------------------


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
    go below zero, ``Conflict`` ``duplicate-movement`` (and writes nothing) when a key was posted before.
    """
    legs = [leg for leg in legs if leg.amount > 0]
    if not legs:
        return []
    now = now or timezone.now()
    deltas = _new_deltas()
    for leg in legs:
        deltas[leg.from_wallet][0 if leg.from_bucket == Bucket.AVAILABLE else 1] -= leg.amount
        deltas[leg.to_wallet][0 if leg.to_bucket == Bucket.AVAILABLE else 1] += leg.amount
    _lock_and_check(deltas)
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
        _refuse_recorded([leg.key for leg in legs], exc)
    _wallets_apply(deltas)
    return entries


# One call, many postings of one kind -----------------------------------------------------------------


@dataclass
class Postings:
    """Many movements of one kind between the same two buckets, as columns: a sweep's payments.

    Append one movement with ``add``; the amounts are what is posted and what the balances move by, so a
    price is worked out once, by the caller, and never again.
    """

    kind: str
    from_bucket: str
    to_bucket: str
    reason: str = ""
    keys: list[str] = field(default_factory=list)
    amounts: list[Decimal] = field(default_factory=list)
    from_wallets: list[int] = field(default_factory=list)
    to_wallets: list[int] = field(default_factory=list)
    campaign_ids: list[int | None] = field(default_factory=list)
    assignment_ids: list[int | None] = field(default_factory=list)

    def add(
        self,
        key: str,
        amount: Decimal,
        from_wallet: int,
        to_wallet: int,
        *,
        campaign_id: int | None = None,
        assignment_id: int | None = None,
    ) -> None:
        if amount <= 0:  # a free result moves no money
            return
        self.keys.append(key)
        self.amounts.append(amount)
        self.from_wallets.append(from_wallet)
        self.to_wallets.append(to_wallet)
        self.campaign_ids.append(campaign_id)
        self.assignment_ids.append(assignment_id)

    def extend(
        self,
        keys: list[str],
        amounts: list[Decimal],
        from_wallets: list[int],
        to_wallets: list[int],
        *,
        campaign_ids: list[int | None],
        assignment_ids: list[int | None],
    ) -> None:
        """``add`` for whole columns at once (a sweep's chunk)."""
        if any(amount <= 0 for amount in amounts):
            columns = (keys, amounts, from_wallets, to_wallets, campaign_ids, assignment_ids)
            for key, amount, source, target, campaign_id, assignment_id in zip(*columns, strict=True):
                self.add(key, amount, source, target, campaign_id=campaign_id, assignment_id=assignment_id)
            return
        self.keys += keys
        self.amounts += amounts
        self.from_wallets += from_wallets
        self.to_wallets += to_wallets
        self.campaign_ids += campaign_ids
        self.assignment_ids += assignment_ids

    def __len__(self) -> int:
        return len(self.keys)

    def add_deltas(self, deltas: Deltas) -> None:
        out = 0 if self.from_bucket == Bucket.AVAILABLE else 1
        into = 0 if self.to_bucket == Bucket.AVAILABLE else 1
        for amount, source, target in zip(self.amounts, self.from_wallets, self.to_wallets, strict=True):
            deltas[source][out] -= amount
            deltas[target][into] += amount


def ledger_post_many(
    batches: list[Postings], *, created_by: User | None = None, now: datetime | None = None
) -> int:
    """Post many movements at once under the guard of ``ledger_post``; the number posted.

    The same checks, set-based: every wallet that moves is locked once, in primary-key order, and checked
    against its total movement (nothing goes below zero); each batch goes in with one INSERT per
    ``INSERT_ROWS`` rows, and the balances move with one UPDATE. A key posted before refuses the whole
    call. The caller holds the transaction.
    """
    batches = [batch for batch in batches if len(batch)]
    if not batches:
        return 0
    now = now or timezone.now()
    deltas = _new_deltas()
    for batch in batches:
        batch.add_deltas(deltas)
    _lock_and_check(deltas)
    created_by_id = created_by.pk if created_by is not None else None
    try:
        with transaction.atomic():
            for batch in batches:
                for start in range(0, len(batch), INSERT_ROWS):
                    _insert(batch, slice(start, start + INSERT_ROWS), created_by_id=created_by_id, now=now)
    except IntegrityError as exc:
        _refuse_recorded([key for batch in batches for key in batch.keys], exc)
    _wallets_apply(deltas)
    return sum(len(batch) for batch in batches)


def _insert(batch: Postings, part: slice, *, created_by_id: int | None, now: datetime) -> None:
    if connection.vendor != "postgresql":
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                idempotency_key=key,
                kind=batch.kind,
                amount=amount,
                from_wallet_id=source,
                from_bucket=batch.from_bucket,
                to_wallet_id=target,
                to_bucket=batch.to_bucket,
                reason=batch.reason,
                campaign_id=campaign_id,
                assignment_id=assignment_id,
                created_by_id=created_by_id,
                created_at=now,
            )
            for key, amount, source, target, campaign_id, assignment_id in zip(
                batch.keys[part],
                batch.amounts[part],
                batch.from_wallets[part],
                batch.to_wallets[part],
                batch.campaign_ids[part],
                batch.assignment_ids[part],
                strict=True,
            )
        )
        return
    # One statement whatever the number of rows: the columns travel as array literals, which PostgreSQL
    # reads in one pass (a list of parameters would be parsed as thousands of expressions).
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LedgerEntry._meta.db_table} (idempotency_key, kind, amount, from_wallet_id,"
            " from_bucket, to_wallet_id, to_bucket, reason, campaign_id, assignment_id, created_by_id,"
            " created_at)"
            " SELECT m.k, %s, m.a, m.fw, %s, m.tw, %s, %s, m.c, m.asg, %s, %s"
            " FROM unnest(%s::text[], %s::numeric[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[])"
            " AS m(k, a, fw, tw, c, asg)",
            [
                batch.kind,
                batch.from_bucket,
                batch.to_bucket,
                batch.reason,
                created_by_id,
                now,
                _text_array(batch.keys[part]),
                _plain_array(batch.amounts[part]),
                _plain_array(batch.from_wallets[part]),
                _plain_array(batch.to_wallets[part]),
                _plain_array(batch.campaign_ids[part]),
                _plain_array(batch.assignment_ids[part]),
            ],
        )


def _plain_array(values: list) -> str:
    """A PostgreSQL array literal of numbers (``NULL`` for None)."""
    if any(v is None for v in values):
        return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"
    return "{" + ",".join(map(str, values)) + "}"


def _text_array(values: list[str]) -> str:
    """A PostgreSQL array literal of texts, each quoted (backslashes and quotes escaped)."""
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"
