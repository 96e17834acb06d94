import json
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal as D
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts.models import LedgerEntry
from campaigns.models import CampaignState
from campaigns.schedule import campaigns_finish_due, campaigns_settle_closed, campaigns_start_due
from crowdplatform.errors import Conflict
from results import review
from results.decisions import assignment_approve, assignment_reject, assignment_soft_reject
from results.models import Assignment, AssignmentState
from results.review import results_auto_approve_due
from results.services import assignments_expire_redo_due
from tasks.models import Task
from tests.concurrency import at_once, failures
from tests.factories import RequesterFactory, UserFactory
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
        assignment_reject(assignment_id=results[0].pk, reviewer=requester, reason="late", now=later)
    assert err.value.code == "review-window-closed"
    with pytest.raises(Conflict):
        assignment_soft_reject(
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
    assignment_soft_reject(
        assignment_id=results[0].pk, reviewer=requester, reason="redo", until=now + timedelta(hours=1)
    )
    Task.objects.filter(pk=results[0].task_id).update(is_open=False)
    assert assignments_expire_redo_due(now=now + timedelta(minutes=30)) == 0
    assert assignments_expire_redo_due(now=now + timedelta(hours=2)) == 1
    assert assignments_expire_redo_due(now=now + timedelta(hours=2)) == 0
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
    assignment_approve(assignment_id=result.pk, reviewer=None)
    assert campaigns_settle_closed(now=now + timedelta(hours=2)) == 0
    assert balances(requester) == (D("1.80"), D("0"))
    assert_money_invariants()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_pay_each_result_exactly_once():
    requester, campaign, results, later = _due_results(12)
    errors = failures(
        at_once(lambda: results_auto_approve_due(now=later), lambda: results_auto_approve_due(now=later))
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
                assignment_approve(assignment_id=pk, reviewer=requester, now=later)

        return run

    errors = failures(
        at_once(
            reviewer(ids),
            reviewer(list(reversed(ids))),
            lambda: results_auto_approve_due(now=later),
            lambda: results_auto_approve_due(now=later),
        )
    )
    assert errors == []
    assert Assignment.objects.filter(pk__in=ids, state=AssignmentState.APPROVED).count() == 12
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).count() == 12
    assert all(balances(r.worker) == (D("1.00"), D("0")) for r in results)
    assert_money_invariants()


# Each process waits at a file barrier so both sweeps start together, then prints how many it approved.
SWEEP_IN_A_PROCESS = """
import json, os, pathlib, time
from results.review import results_auto_approve_due
gate = pathlib.Path(os.environ["SWEEP_GATE"])
(gate / ("ready-" + os.environ["SWEEP_INDEX"])).touch()
deadline = time.monotonic() + 60
while len(list(gate.glob("ready-*"))) < 2 and time.monotonic() < deadline:
    time.sleep(0.005)
print(json.dumps({"approved": results_auto_approve_due()}))
"""


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweep_processes_at_once_on_more_than_a_chunk_pay_each_result_exactly_once(tmp_path):
    # given more due results than one sweep chunk, spread over a few workers, committed for other processes
    n = review.CHUNK + 2500
    requester = RequesterFactory()
    fund(requester, str(n * 2))
    campaign = campaign_with_tasks(requester=requester, tasks=n, review_window_s=3600)
    workers = [UserFactory() for _ in range(4)]
    past = timezone.now() - timedelta(hours=2)
    task_ids = list(Task.objects.filter(campaign=campaign).order_by("position").values_list("pk", flat=True))
    Assignment.objects.bulk_create(
        [
            Assignment(
                task_id=task_id,
                campaign_id=campaign.pk,
                worker=workers[i % len(workers)],
                state=AssignmentState.SUBMITTED,
                answers={"label": "x"},
                accepted_at=past,
                expires_at=past + timedelta(hours=1),
                submitted_at=past,
                review_due_at=past + timedelta(hours=1),
            )
            for i, task_id in enumerate(task_ids)
        ],
        batch_size=5000,
    )
    Task.objects.filter(campaign=campaign).update(is_open=False)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "crowdplatform.settings.test",
        "SWEEP_GATE": str(tmp_path),
    }
    manage = str(settings.BASE_DIR / "manage.py")
    # when two OS processes run the auto-approval sweep at the same time
    processes = [
        subprocess.Popen(
            [sys.executable, manage, "shell", "-c", SWEEP_IN_A_PROCESS],
            env={**env, "SWEEP_INDEX": str(i)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    # then both succeed and between them approve every result once
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    approved = [json.loads(out.strip().splitlines()[-1])["approved"] for out, _ in outputs]
    assert sum(approved) == n, approved
    assert Assignment.objects.filter(campaign=campaign, state=AssignmentState.APPROVED).count() == n
    # and each result has exactly one payment, each worker got exactly their share
    payments = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT)
    assert payments.count() == n
    assert payments.values("assignment_id").distinct().count() == n
    assert not payments.values("assignment_id").annotate(k=Count("id")).filter(k__gt=1).exists()
    assert [balances(w) for w in workers] == [
        (D(len(range(i, n, len(workers)))), D("0")) for i in range(len(workers))
    ]
    assert balances(requester) == (D(n * 2) - D("1.20") * n, D("0"))
    assert platform_balance() == D("0.20") * n
    assert_money_invariants()
    # and a later sweep finds nothing left
    assert results_auto_approve_due() == 0
