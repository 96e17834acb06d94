import threading
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.models import LedgerEntry
from campaigns.models import CampaignState
from campaigns.schedule import campaigns_finish_due, campaigns_settle_closed, campaigns_start_due
from crowdplatform.errors import Conflict
from results.models import Assignment, AssignmentState
from results.review import (
    result_approve,
    result_reject,
    result_soft_reject,
    results_auto_approve_due,
    results_close_redo_due,
)
from tasks.models import Task
from tests.factories import RequesterFactory
from tests.money.invariants import assert_money_invariants, balances, platform_balance
from tests.money.scenario import campaign_with_tasks, fund, submit_one


def _due_results(n, *, requester=None):
    requester = requester or RequesterFactory()
    fund(requester, "100")
    campaign = campaign_with_tasks(requester=requester, tasks=n, review_window_s=3600)
    now = timezone.now()
    results = [submit_one(campaign, now=now) for _ in range(n)]
    return requester, campaign, results, now + timedelta(hours=2)


@pytest.mark.django_db
def test_auto_approve_pays_due_results_exactly_once_when_run_twice():
    # given three results whose review window passed and one still in its window
    requester, campaign, results, later = _due_results(3)
    fresh = submit_one(campaign_with_tasks(requester=requester, tasks=1, review_window_s=3 * 3600), now=later)
    # when the sweep runs twice at the same moment
    first = results_auto_approve_due(now=later)
    second = results_auto_approve_due(now=later)
    # then the due results are approved and paid once, the fresh one untouched
    assert (first, second) == (3, 0)
    assert set(Assignment.objects.filter(pk__in=[r.pk for r in results]).values_list("state", flat=True)) == {
        AssignmentState.APPROVED
    }
    assert Assignment.objects.get(pk=fresh.pk).state == AssignmentState.SUBMITTED
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).count() == 3
    assert all(balances(r.worker) == (D("1.00"), D("0")) for r in results)
    assert platform_balance() == D("0.60")
    assert_money_invariants()


@pytest.mark.django_db
def test_a_manual_reject_after_the_window_is_refused_even_before_the_sweep():
    requester, campaign, results, later = _due_results(1)
    with pytest.raises(Conflict) as err:
        result_reject(assignment_id=results[0].pk, reviewer=requester, reason="late", now=later)
    assert err.value.code == "review-window-closed"
    with pytest.raises(Conflict):
        result_soft_reject(
            assignment_id=results[0].pk,
            reviewer=requester,
            reason="late",
            until=later + timedelta(days=1),
            now=later,
        )
    assert Assignment.objects.get(pk=results[0].pk).state == AssignmentState.SUBMITTED
    assert_money_invariants()


@pytest.mark.django_db
def test_closing_a_redo_window_expires_the_result_without_pay_or_reputation_damage_and_reopens_the_task():
    requester, campaign, results, later = _due_results(1)
    now = timezone.now()
    result_soft_reject(
        assignment_id=results[0].pk, reviewer=requester, reason="redo", until=now + timedelta(hours=1)
    )
    Task.objects.filter(pk=results[0].task_id).update(is_open=False)
    assert results_close_redo_due(now=now + timedelta(minutes=30)) == 0
    assert results_close_redo_due(now=now + timedelta(hours=2)) == 1
    assert results_close_redo_due(now=now + timedelta(hours=2)) == 0
    result = Assignment.objects.get(pk=results[0].pk)
    assert result.state == AssignmentState.EXPIRED and result.feedback == "redo"
    assert Task.objects.get(pk=result.task_id).is_open is True
    assert balances(result.worker) == (D("0"), D("0"))
    assert_money_invariants()


@pytest.mark.django_db
def test_campaign_timers_start_and_finish_with_money_and_leave_an_unfunded_one():
    requester = RequesterFactory()
    fund(requester, "3")
    now = timezone.now()
    due = campaign_with_tasks(
        requester=requester, tasks=2, publish=False, start_at=now - timedelta(minutes=1)
    )
    unfunded = campaign_with_tasks(
        requester=requester, tasks=5, publish=False, start_at=now - timedelta(minutes=1)
    )
    later = campaign_with_tasks(
        requester=requester, tasks=1, publish=False, start_at=now + timedelta(hours=1)
    )
    # when the start sweep runs (twice)
    assert campaigns_start_due(now=now) == 1
    assert campaigns_start_due(now=now) == 0
    due.refresh_from_db(), unfunded.refresh_from_db(), later.refresh_from_db()
    assert (due.state, unfunded.state, later.state) == (
        CampaignState.ACTIVE,
        CampaignState.UNPUBLISHED,
        CampaignState.UNPUBLISHED,
    )
    assert balances(requester) == (D("0.60"), D("2.40"))
    # when its end passes, the finish sweep releases the unused budget
    due.end_at = now + timedelta(hours=1)
    due.save(update_fields=["end_at"])
    result = submit_one(due)
    assert campaigns_finish_due(now=now + timedelta(hours=2)) == 1
    assert campaigns_finish_due(now=now + timedelta(hours=2)) == 0
    assert balances(requester) == (D("1.80"), D("1.20"))
    result_approve(assignment_id=result.pk, reviewer=None)
    assert campaigns_settle_closed(now=now + timedelta(hours=2)) == 0
    assert balances(requester) == (D("1.80"), D("0"))
    assert_money_invariants()


def _run_in_threads(*targets):
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                connections.close_all()

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_pay_each_result_exactly_once():
    requester, campaign, results, later = _due_results(12)
    errors = _run_in_threads(
        lambda: results_auto_approve_due(now=later), lambda: results_auto_approve_due(now=later)
    )
    assert errors == []
    assert Assignment.objects.filter(state=AssignmentState.APPROVED).count() == 12
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).count() == 12
    assert_money_invariants()
    assert connection.vendor == "postgresql"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reviewers_and_the_sweep_on_the_same_results_pay_each_exactly_once():
    requester, campaign, results, later = _due_results(12)
    ids = [r.pk for r in results]

    def reviewer(order):
        def run():
            for pk in order:
                result_approve(assignment_id=pk, reviewer=requester, now=later)

        return run

    errors = _run_in_threads(
        reviewer(ids),
        reviewer(list(reversed(ids))),
        lambda: results_auto_approve_due(now=later),
        lambda: results_auto_approve_due(now=later),
    )
    assert errors == []
    assert Assignment.objects.filter(pk__in=ids, state=AssignmentState.APPROVED).count() == 12
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).count() == 12
    assert all(balances(r.worker) == (D("1.00"), D("0")) for r in results)
    assert_money_invariants()
