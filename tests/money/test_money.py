from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.ledger import Leg, ledger_post, system_wallet
from accounts.models import Bucket, LedgerEntry, Wallet
from accounts.wallets import wallet_adjust, wallet_deposit
from campaigns.budget import campaign_budget_add_tasks, campaign_budget_release
from campaigns.models import Campaign, CampaignState
from campaigns.services import campaign_cancel, campaign_finish, campaign_publish, campaign_qs_for_update
from crowdplatform.errors import ApplicationError, Conflict, InsufficientFunds, ValidationFailed
from results.decisions import (
    assignment_approve,
    assignment_overturn,
    assignment_reject,
    assignment_soft_reject,
)
from results.models import Assignment, AssignmentState
from results.review import results_approve_all
from results.services import assignment_submit
from tasks.ingest import tasks_ingest_rows
from tasks.models import Task
from tests.factories import RequesterFactory, UserFactory

from .invariants import assert_money_invariants, balances, platform_balance
from .scenario import campaign_with_tasks, fund, submit_one

pytestmark = pytest.mark.django_db


def test_deposit_credits_available_and_a_retry_with_the_same_key_changes_nothing():
    # given a user without money
    user = UserFactory()
    # when staff deposit twice with the same key
    first, created = wallet_deposit(user=user, amount="12.50", reason="wire 42", idempotency_key="k1")
    again, created_again = wallet_deposit(user=user, amount="12.50", reason="wire 42", idempotency_key="k1")
    # then the money arrives once and the retry returns the same entry
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert balances(user) == (D("12.50"), D("0"))
    assert LedgerEntry.objects.count() == 1
    assert_money_invariants()


def test_a_key_reused_for_a_different_amount_is_refused_and_nothing_changes():
    user = UserFactory()
    wallet_deposit(user=user, amount="5", reason="r", idempotency_key="k1")
    with pytest.raises(Conflict) as err:
        wallet_deposit(user=user, amount="6", reason="r", idempotency_key="k1")
    assert err.value.code == "idempotency-key-reused"
    assert balances(user) == (D("5"), D("0"))
    assert_money_invariants()


@pytest.mark.parametrize("amount", ["0", "-1", "1.001", "abc"])
def test_bad_deposit_amounts_are_refused(amount):
    user = UserFactory()
    with pytest.raises(ValidationFailed) as err:
        wallet_deposit(user=user, amount=amount, reason="r", idempotency_key="k")
    assert err.value.code == "invalid-amount"
    assert not LedgerEntry.objects.exists()


def test_adjust_down_cannot_go_below_zero():
    user = UserFactory()
    fund(user, "3")
    with pytest.raises(InsufficientFunds):
        wallet_adjust(user=user, amount="-4", reason="fee", idempotency_key="a1")
    wallet_adjust(user=user, amount="-1", reason="fee", idempotency_key="a2")
    assert balances(user) == (D("2"), D("0"))
    assert_money_invariants()


def test_publish_freezes_the_whole_budget_with_commission():
    # given a requester with 20.00 and a campaign of 3 tasks × 2 results at 1.00 with a 20% commission
    requester = RequesterFactory()
    fund(requester, "20")
    campaign = campaign_with_tasks(
        requester=requester, tasks=3, results_per_task=2, payment="1.00", rate="0.20"
    )
    # then 3 × 2 × 1.20 = 7.20 is frozen
    assert campaign.state == CampaignState.ACTIVE
    assert campaign.fee_per_result == D("0.20")
    assert campaign.frozen_amount == D("7.20")
    assert balances(requester) == (D("12.80"), D("7.20"))
    assert_money_invariants()


def test_publish_without_enough_money_is_refused_and_nothing_changes():
    requester = RequesterFactory()
    fund(requester, "7.19")
    campaign = campaign_with_tasks(requester=requester, tasks=3, results_per_task=2, publish=False)
    with pytest.raises(InsufficientFunds) as err:
        campaign_publish(campaign=campaign)
    assert (err.value.status, err.value.code) == (402, "insufficient-funds")
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.UNPUBLISHED
    assert campaign.frozen_amount == 0 and campaign.published_at is None
    assert balances(requester) == (D("7.19"), D("0"))
    assert_money_invariants()


def test_adding_tasks_to_an_active_campaign_freezes_more_or_adds_nothing():
    requester = RequesterFactory()
    fund(requester, "5")
    campaign = campaign_with_tasks(requester=requester, tasks=2)  # 2.40 frozen
    tasks_ingest_rows(campaign=campaign, rows=[{"text": "x"}])
    assert balances(requester) == (D("1.40"), D("3.60"))
    with pytest.raises(InsufficientFunds):
        tasks_ingest_rows(campaign=campaign, rows=[{"text": "y"}, {"text": "z"}])
    assert Task.objects.filter(campaign=campaign).count() == 3
    assert balances(requester) == (D("1.40"), D("3.60"))
    assert_money_invariants()


def test_approve_pays_the_worker_and_the_platform_once():
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=2, payment="2.50", rate="0.10")  # unit 2.75
    result = submit_one(campaign)
    # when the reviewer approves, then approves again
    assignment_approve(assignment_id=result.pk, reviewer=requester)
    assignment_approve(assignment_id=result.pk, reviewer=requester)
    # then the worker got 2.50 once, the platform 0.25 once
    assert balances(result.worker) == (D("2.50"), D("0"))
    assert platform_balance() == D("0.25")
    assert balances(requester) == (D("4.50"), D("2.75"))
    assert LedgerEntry.objects.get(idempotency_key=f"approve:{result.pk}").amount == D("2.50")
    assert_money_invariants()


def test_reject_keeps_the_budget_for_the_reopened_slot_and_finish_releases_it():
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=1)
    result = submit_one(campaign)
    assignment_reject(assignment_id=result.pk, reviewer=requester, reason="Wrong label")
    assert Task.objects.get(pk=result.task_id).is_open is True
    assert balances(requester) == (D("8.80"), D("1.20"))
    assert_money_invariants()
    campaign_finish(campaign=campaign)
    assert balances(requester) == (D("10"), D("0"))
    assert balances(result.worker) == (D("0"), D("0"))
    assert_money_invariants()


def test_soft_reject_then_redo_then_approve_pays_once():
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=1)
    result = submit_one(campaign)
    now = timezone.now()
    assignment_soft_reject(
        assignment_id=result.pk, reviewer=requester, reason="*Please* redo", until=now + timedelta(hours=2)
    )
    assignment_submit(assignment_id=result.pk, worker=result.worker, answers={"label": "better"})
    approved = assignment_approve(assignment_id=result.pk, reviewer=requester)
    assert approved.state == AssignmentState.APPROVED
    assert balances(result.worker) == (D("1.00"), D("0"))
    assert_money_invariants()


def test_cancel_midway_keeps_what_is_in_review_and_releases_the_rest():
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=4)  # 4.80
    approved = submit_one(campaign)
    assignment_approve(assignment_id=approved.pk, reviewer=requester)
    in_review = submit_one(campaign)
    campaign_cancel(campaign=campaign)
    # then only the unit of the result in review stays frozen
    assert balances(requester) == (D("7.60"), D("1.20"))
    assignment_approve(assignment_id=in_review.pk, reviewer=requester)
    assert balances(requester) == (D("7.60"), D("0"))
    assert_money_invariants()


def test_cancel_keeps_the_unit_of_work_sent_back_for_a_redo_which_may_still_be_approved_and_paid():
    # given a result sent back for a redo when the campaign is cancelled
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=2)  # 2.40
    sent_back = submit_one(campaign)
    assignment_soft_reject(
        assignment_id=sent_back.pk,
        reviewer=requester,
        reason="redo",
        until=timezone.now() + timedelta(hours=2),
    )
    # when the campaign is cancelled
    campaign_cancel(campaign=campaign)
    # then its unit stays frozen (the lifecycle lets a reviewer approve it), and approving it pays the worker
    assert balances(requester) == (D("8.80"), D("1.20"))
    assignment_approve(assignment_id=sent_back.pk, reviewer=requester)
    assert balances(sent_back.worker) == (D("1.00"), D("0"))
    assert balances(requester) == (D("8.80"), D("0"))
    assert_money_invariants()


def test_reject_in_a_closed_campaign_releases_its_unit():
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=2)
    result = submit_one(campaign)
    campaign_finish(campaign=campaign)
    assert balances(requester) == (D("8.80"), D("1.20"))
    assignment_reject(assignment_id=result.pk, reviewer=requester, reason="no")
    assert balances(requester) == (D("10"), D("0"))
    assert_money_invariants()


def test_overturn_freezes_a_fresh_unit_and_pays_once_and_a_retry_changes_nothing():
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=1)
    result = submit_one(campaign)
    assignment_reject(assignment_id=result.pk, reviewer=requester, reason="no")
    assignment_overturn(assignment_id=result.pk, reviewer=requester)
    assignment_overturn(assignment_id=result.pk, reviewer=requester)
    assert balances(result.worker) == (D("1.00"), D("0"))
    assert balances(requester) == (D("7.60"), D("1.20"))
    campaign_finish(campaign=campaign)
    assert balances(requester) == (D("8.80"), D("0"))
    assert_money_invariants()


def test_overturn_without_money_is_refused_and_nothing_changes():
    requester = RequesterFactory()
    fund(requester, "1.20")
    campaign = campaign_with_tasks(requester=requester, tasks=1)
    result = submit_one(campaign)
    assignment_reject(assignment_id=result.pk, reviewer=requester, reason="no")
    entries = LedgerEntry.objects.count()
    with pytest.raises(InsufficientFunds):
        assignment_overturn(assignment_id=result.pk, reviewer=requester)
    result.refresh_from_db()
    assert result.state == AssignmentState.REJECTED
    assert LedgerEntry.objects.count() == entries
    assert_money_invariants()


def test_overturn_after_the_window_is_refused(settings):
    settings.CROWD_OVERTURN_WINDOW = timedelta(hours=1)
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=1)
    result = submit_one(campaign)
    now = timezone.now()
    assignment_reject(assignment_id=result.pk, reviewer=requester, reason="no", now=now)
    with pytest.raises(Conflict) as err:
        assignment_overturn(assignment_id=result.pk, reviewer=requester, now=now + timedelta(hours=2))
    assert err.value.code == "overturn-window-closed"
    assert_money_invariants()


def test_a_free_campaign_moves_no_money():
    requester = RequesterFactory()
    campaign = campaign_with_tasks(requester=requester, tasks=2, payment="0")
    result = submit_one(campaign)
    assignment_approve(assignment_id=result.pk, reviewer=requester)
    assert not LedgerEntry.objects.exists()
    assert not Wallet.objects.filter(available__gt=0).exists()
    assert_money_invariants()


def test_retrying_publish_finish_and_release_changes_nothing():
    requester = RequesterFactory()
    fund(requester, "10")
    campaign = campaign_with_tasks(requester=requester, tasks=2)
    # a second publish is refused by the state machine and freezes nothing more
    with pytest.raises(Conflict):
        campaign_publish(campaign=campaign)
    assert balances(requester) == (D("7.60"), D("2.40"))
    result = submit_one(campaign)
    campaign_finish(campaign=campaign)
    with pytest.raises(Conflict):
        campaign_finish(campaign=campaign)
    entries = LedgerEntry.objects.count()
    # releasing again finds nothing more to give back while the result is still in review
    campaign.refresh_from_db()
    assert campaign_budget_release(campaign=campaign) == 0
    assert LedgerEntry.objects.count() == entries
    assert balances(requester) == (D("8.80"), D("1.20"))
    assignment_approve(assignment_id=result.pk, reviewer=requester)
    assert balances(requester) == (D("8.80"), D("0"))
    assert_money_invariants()


# Retries: every money-moving operation run twice with the same idempotency key -------------------------


def money_state():
    return (
        LedgerEntry.objects.count(),
        list(Wallet.objects.order_by("pk").values_list("pk", "available", "frozen")),
        list(Campaign.objects.order_by("pk").values_list("pk", "state", "frozen_amount")),
        list(Assignment.objects.order_by("pk").values_list("pk", "state")),
    )


def _reject(requester, campaign):
    result = submit_one(campaign)
    return lambda: assignment_reject(assignment_id=result.pk, reviewer=requester, reason="Wrong label")


def _soft_reject(requester, campaign):
    result = submit_one(campaign)
    until = timezone.now() + timedelta(hours=2)
    return lambda: assignment_soft_reject(
        assignment_id=result.pk, reviewer=requester, reason="redo", until=until
    )


def _cancel(requester, campaign):
    submit_one(campaign)
    return lambda: campaign_cancel(campaign=campaign)


def _finish(requester, campaign):
    submit_one(campaign)
    return lambda: campaign_finish(campaign=campaign)


def _adjust(requester, campaign):
    return lambda: wallet_adjust(user=requester, amount="-2.50", reason="fee", idempotency_key="adjust-1")


def _deposit(requester, campaign):
    return lambda: wallet_deposit(user=requester, amount="4.00", reason="wire 7", idempotency_key="wire-7")


def _add_tasks_freeze(requester, campaign):
    # The freeze for added tasks is keyed by the task count before the addition; a retry of that step
    # (the count not raised yet) must not freeze a second time.
    def run():
        with transaction.atomic():
            locked = campaign_qs_for_update().get(pk=campaign.pk)
            return campaign_budget_add_tasks(campaign=locked, count=2, by=requester)

    return run


def _approve_all(requester, campaign):
    submit_one(campaign)
    submit_one(campaign)
    return lambda: results_approve_all(campaign=campaign, reviewer=requester)


def _approve(requester, campaign):
    result = submit_one(campaign)
    return lambda: assignment_approve(assignment_id=result.pk, reviewer=requester)


def _overturn(requester, campaign):
    result = submit_one(campaign)
    assignment_reject(assignment_id=result.pk, reviewer=requester, reason="no")
    return lambda: assignment_overturn(assignment_id=result.pk, reviewer=requester)


@pytest.mark.parametrize(
    ("given", "retry_refused_with"),
    [
        pytest.param(_reject, "not-in-review", id="reject"),
        pytest.param(_soft_reject, "not-in-review", id="soft-reject"),
        pytest.param(_cancel, "illegal-transition", id="cancel"),
        pytest.param(_adjust, None, id="adjust"),
        pytest.param(_deposit, None, id="deposit"),
        pytest.param(_add_tasks_freeze, "duplicate-movement", id="add-tasks-freeze"),
        pytest.param(_approve_all, None, id="approve-all"),
        pytest.param(_approve, None, id="approve"),
        pytest.param(_overturn, None, id="overturn"),
        pytest.param(_finish, "illegal-transition", id="finish"),
    ],
)
def test_a_retry_of_every_money_operation_changes_nothing(given, retry_refused_with):
    # given a funded requester with a live campaign (3 tasks at 1.00 + 20%) and the operation's preconditions
    requester = RequesterFactory()
    fund(requester, "20")
    campaign = campaign_with_tasks(requester=requester, tasks=3)
    operation = given(requester, campaign)
    before = money_state()
    # when the operation runs
    operation()
    # then it changed something and the books balance
    after_first = money_state()
    assert after_first != before
    assert_money_invariants()
    # when it runs again (a retry: same arguments, same idempotency key)
    refused_with = None
    try:
        operation()
    except ApplicationError as exc:
        refused_with = exc.code
    # then the retry is a no-op (or refused with the expected code), and nothing moved a second time
    assert refused_with == retry_refused_with
    assert money_state() == after_first
    assert_money_invariants()


def test_ledger_post_refuses_a_duplicate_key_and_writes_nothing():
    # given a recorded deposit
    user = UserFactory()
    entry, _ = wallet_deposit(user=user, amount="5", reason="wire", idempotency_key="k1")
    external = system_wallet(Wallet.Kind.EXTERNAL).pk
    wallet = Wallet.objects.get(user=user).pk
    kind, available = LedgerEntry.Kind, Bucket.AVAILABLE
    duplicate = Leg(entry.idempotency_key, kind.DEPOSIT, D("5"), external, available, wallet, available)
    fresh = Leg("fresh-key", kind.ADJUST, D("1"), external, available, wallet, available)
    before = money_state()
    with transaction.atomic():
        # when the same movement is posted again, after a new one in the same post
        with pytest.raises(Conflict) as err:
            ledger_post([fresh, duplicate], reason="retry")
        # then the surrounding transaction is still usable (the failed insert only undid its savepoint)
        assert LedgerEntry.objects.count() == 1
    # and the post is refused as a whole, naming the key already recorded: neither leg written, no balance moved
    assert (err.value.status, err.value.code, err.value.extra) == (
        409,
        "duplicate-movement",
        {"key": entry.idempotency_key},
    )
    assert money_state() == before
    assert not LedgerEntry.objects.filter(idempotency_key="fresh-key").exists()
    assert balances(user) == (D("5"), D("0"))
    assert_money_invariants()
