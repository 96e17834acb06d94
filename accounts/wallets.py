"""Wallets from the outside: deposits and adjustments by staff, and each requester's commission rate.

Every movement here is posted through the ledger's guard (``accounts.ledger``). A client's idempotency key
makes a retry return the first movement instead of recording a second one.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from crowdplatform.errors import Conflict, ValidationFailed

from .ledger import Leg, ledger_post, system_wallet, to_amount, wallet_for_user
from .models import Bucket, LedgerEntry, Wallet


def default_commission_rate() -> Decimal:
    return Decimal(str(getattr(settings, "CROWD_COMMISSION_RATE", "0")))


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
