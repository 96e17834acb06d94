"""``ledger_post_many``: the set-based post has the guard of a single post, and the sweeps go through it."""

from datetime import timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from accounts import ledger
from accounts.ledger import Postings, ledger_post_many, system_wallet, wallet_ids_for_users
from accounts.models import Bucket, LedgerEntry, Wallet
from crowdplatform.errors import Conflict, InsufficientFunds
from results.models import Assignment, AssignmentState
from results.review import results_approve_all, results_auto_approve_due
from tests.factories import RequesterFactory, UserFactory

from .invariants import balances, platform_balance
from .scenario import campaign_with_tasks, fund, submit_one

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _money_state():
    return (
        list(LedgerEntry.objects.order_by("pk").values_list("idempotency_key", "amount")),
        list(Wallet.objects.order_by("pk").values_list("pk", "available", "frozen")),
    )


def _payouts(payer, workers, amounts, *, key="pay"):
    wallet_of = wallet_ids_for_users([payer.pk, *(w.pk for w in workers)])
    batch = Postings(LedgerEntry.Kind.ADJUST, Bucket.AVAILABLE, Bucket.AVAILABLE, reason="payout")
    for i, (worker, amount) in enumerate(zip(workers, amounts, strict=True)):
        batch.add(f"{key}:{i}", D(amount), wallet_of[payer.pk], wallet_of[worker.pk])
    return batch


def test_many_postings_move_the_balances_with_the_ledger_in_one_call():
    # given a funded payer and three payees
    payer, workers = UserFactory(), UserFactory.create_batch(3)
    fund(payer, "10")
    # when three movements (and one of nothing, which is no movement) are posted at once
    batch = _payouts(payer, [*workers, workers[0]], ["1.00", "2.00", "3.00", "0"])
    posted = ledger_post_many([batch])
    # then each is one ledger row and the balances moved by exactly that
    assert posted == 3
    assert LedgerEntry.objects.filter(reason="payout").count() == 3
    assert balances(payer) == (D("4.00"), D("0"))
    assert [balances(w)[0] for w in workers] == [D("1.00"), D("2.00"), D("3.00")]


def test_keys_are_stored_as_given_whatever_characters_they_hold():
    # given keys with the characters an array literal would misread
    payer, workers = UserFactory(), UserFactory.create_batch(3)
    fund(payer, "10")
    batch = _payouts(payer, workers, ["1.00", "1.00", "1.00"])
    batch.keys[:] = ['a,"b"', "back\\slash {c}", "NULL"]
    # when they are posted at once
    ledger_post_many([batch])
    # then each is recorded exactly
    stored = set(LedgerEntry.objects.filter(reason="payout").values_list("idempotency_key", flat=True))
    assert stored == {'a,"b"', "back\\slash {c}", "NULL"}


def test_many_postings_that_would_go_below_zero_are_refused_and_write_nothing():
    # given a payer with 5.00
    payer, workers = UserFactory(), UserFactory.create_batch(2)
    fund(payer, "5")
    before = _money_state()
    # when postings totalling 6.00 are posted at once (each one alone would fit)
    with pytest.raises(InsufficientFunds) as err, transaction.atomic():
        ledger_post_many([_payouts(payer, workers, ["3.00", "3.00"])])
    # then the whole call is refused, as a single post would be, and nothing changed
    assert (err.value.status, err.value.extra) == (402, {"available": "5.00", "needed": "6.00"})
    assert _money_state() == before


def test_many_postings_with_a_key_already_recorded_are_refused_and_write_nothing():
    # given a movement recorded under the key pay:1
    payer, workers = UserFactory(), UserFactory.create_batch(2)
    fund(payer, "10")
    ledger_post_many([_payouts(payer, workers[1:], ["1.00"], key="first")])
    LedgerEntry.objects.filter(idempotency_key="first:0").update(idempotency_key="pay:1")
    batch = _payouts(payer, workers, ["1.00", "1.00"])
    before = _money_state()
    # when a batch holding that key is posted
    with transaction.atomic():
        with pytest.raises(Conflict) as err:
            ledger_post_many([batch])
        # then the surrounding transaction goes on (only the failed insert's savepoint was undone)
        assert LedgerEntry.objects.count() == len(before[0])
    # and the call is refused as a whole, naming the key
    assert (err.value.status, err.value.code, err.value.extra) == (
        409,
        "duplicate-movement",
        {"key": "pay:1"},
    )
    assert _money_state() == before


def test_the_same_key_twice_in_one_call_is_refused():
    payer, worker = UserFactory(), UserFactory()
    fund(payer, "10")
    batch = _payouts(payer, [worker, worker], ["1.00", "1.00"])
    batch.keys[1] = batch.keys[0]
    before = _money_state()
    with pytest.raises(Conflict) as err, transaction.atomic():
        ledger_post_many([batch])
    assert (err.value.code, err.value.extra) == ("duplicate-movement", {"key": "pay:0"})
    assert _money_state() == before


def _due_results(n):
    requester = RequesterFactory()
    fund(requester, "100")
    campaign = campaign_with_tasks(requester=requester, tasks=n, review_window_s=3600)  # unit 1.20
    now = timezone.now()
    results = [submit_one(campaign, now=now) for _ in range(n)]
    return requester, results, now + timedelta(hours=2)


def _watch_the_guard(monkeypatch) -> list[dict]:
    seen, guard = [], ledger._lock_and_check

    def watched(deltas):
        seen.append({pk: tuple(d) for pk, d in deltas.items() if d[0] or d[1]})
        return guard(deltas)

    monkeypatch.setattr(ledger, "_lock_and_check", watched)
    return seen


def test_the_auto_approve_sweep_posts_its_payments_through_the_ledger_guard(monkeypatch):
    # given three results whose review window passed
    requester, results, later = _due_results(3)
    seen = _watch_the_guard(monkeypatch)
    # when the sweep runs
    assert results_auto_approve_due(now=later) == 3
    # then the ledger's guard checked every movement of the payments, priced once, before they were posted
    wallet = dict(Wallet.objects.filter(user__isnull=False).values_list("user_id", "pk"))
    platform = system_wallet(Wallet.Kind.PLATFORM).pk
    assert seen == [
        {
            wallet[requester.pk]: (D("0"), D("-3.60")),
            platform: (D("0.60"), D("0")),
            **{wallet[r.worker_id]: (D("1.00"), D("0")) for r in results},
        }
    ]
    assert all(balances(r.worker) == (D("1.00"), D("0")) for r in results)
    assert platform_balance() == D("0.60")


def test_a_payment_recorded_before_refuses_the_sweep_and_nothing_changes():
    # given a due result whose payment key is already in the ledger (another writer paid it)
    requester, results, later = _due_results(2)
    LedgerEntry.objects.filter(pk=fund(UserFactory(), "1")[0].pk).update(
        idempotency_key=f"approve:{results[1].pk}"
    )
    before = _money_state()
    # when the sweep runs
    with pytest.raises(Conflict) as err:
        results_auto_approve_due(now=later)
    # then the ledger's idempotency check refused the chunk: no payment, no approval, no balance moved
    assert (err.value.code, err.value.extra) == ("duplicate-movement", {"key": f"approve:{results[1].pk}"})
    assert _money_state() == before
    assert set(Assignment.objects.values_list("state", flat=True)) == {AssignmentState.SUBMITTED}


def test_approving_in_bulk_posts_through_the_ledger_guard(monkeypatch):
    requester, results, _ = _due_results(2)
    seen = _watch_the_guard(monkeypatch)
    assert results_approve_all(campaign=results[0].campaign, reviewer=requester) == 2
    assert len(seen) == 1 and seen[0][Wallet.objects.get(user=requester).pk] == (D("0"), D("-2.40"))


def test_no_path_that_moves_money_turns_off_synchronous_commit():
    # A commit answered as done must survive a crash: no module of the engine may skip the WAL flush.
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("accounts", "projects", "campaigns", "tasks", "results", "crowdplatform")
        for path in (ROOT / app).rglob("*.py")
        if "synchronous_commit" in path.read_text()
    ]
    assert offenders == []
