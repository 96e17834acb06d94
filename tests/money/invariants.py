"""Money invariants checked after every money scenario."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from accounts.models import Bucket, LedgerEntry, Wallet
from campaigns.models import Campaign

ZERO = Decimal("0")


def assert_money_invariants():
    # the ledger sums to every wallet's balances
    sums = defaultdict(lambda: {Bucket.AVAILABLE: ZERO, Bucket.FROZEN: ZERO})
    for row in LedgerEntry.objects.values("from_wallet", "from_bucket").annotate(total=Sum("amount")):
        sums[row["from_wallet"]][row["from_bucket"]] -= row["total"]
    for row in LedgerEntry.objects.values("to_wallet", "to_bucket").annotate(total=Sum("amount")):
        sums[row["to_wallet"]][row["to_bucket"]] += row["total"]
    for wallet in Wallet.objects.all():
        assert wallet.available == sums[wallet.pk][Bucket.AVAILABLE], wallet
        assert wallet.frozen == sums[wallet.pk][Bucket.FROZEN], wallet
        if wallet.kind != Wallet.Kind.EXTERNAL:
            # no balance is negative
            assert wallet.available >= 0 and wallet.frozen >= 0, wallet
    # the sum of all balances is the sum of what came in from outside
    inside = Wallet.objects.exclude(kind=Wallet.Kind.EXTERNAL).aggregate(a=Sum("available"), f=Sum("frozen"))
    external = Wallet.objects.filter(kind=Wallet.Kind.EXTERNAL).first()
    deposits = LedgerEntry.objects.filter(from_wallet__kind=Wallet.Kind.EXTERNAL).aggregate(s=Sum("amount"))[
        "s"
    ]
    withdrawals = LedgerEntry.objects.filter(to_wallet__kind=Wallet.Kind.EXTERNAL).aggregate(s=Sum("amount"))[
        "s"
    ]
    net_in = (deposits or ZERO) - (withdrawals or ZERO)
    assert (inside["a"] or ZERO) + (inside["f"] or ZERO) == net_in
    assert (external.available if external else ZERO) == -net_in
    # each campaign's hold is what was frozen for it minus what left it, and payers' frozen is their holds
    holds = defaultdict(lambda: ZERO)
    for campaign in Campaign.objects.select_related("project"):
        moved = ZERO
        for entry in LedgerEntry.objects.filter(campaign_id=campaign.pk):
            if entry.to_bucket == Bucket.FROZEN:
                moved += entry.amount
            elif entry.from_bucket == Bucket.FROZEN:
                moved -= entry.amount
        assert campaign.frozen_amount == moved, campaign
        holds[campaign.project.owner_id] += campaign.frozen_amount
    for wallet in Wallet.objects.filter(kind=Wallet.Kind.USER):
        assert wallet.frozen == holds[wallet.user_id], wallet
    # no result is paid twice
    assert not (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT)
        .values("assignment_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


def balances(user):
    wallet = Wallet.objects.filter(user=user).first()
    return (wallet.available, wallet.frozen) if wallet else (ZERO, ZERO)


def platform_balance():
    wallet = Wallet.objects.filter(kind=Wallet.Kind.PLATFORM).first()
    return wallet.available if wallet else ZERO
