"""Auto-approval of N due results by the sweep, paying each worker, against a plain SQL UPDATE of the rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench_money .venv/bin/python bench/auto_approve.py --results 1000000

Creates one funded requester, a published campaign whose budget is frozen, 1,000 workers and N submitted
results whose review window has passed, all with SQL. The baseline is one ``UPDATE`` that marks the same
rows approved (no money); the rows are then put back and the real sweep
(``results.review.results_auto_approve_due``) approves and pays them: a ledger row for each payment and
each commission, balances moved, in chunks. Invariants are checked at the end.
"""

import argparse
import time
from decimal import Decimal

import harness

WORKERS = 1000
PAYMENT = Decimal("0.10")
RATE = Decimal("0.20")


def create_due_results(n: int):
    from django.contrib.auth.models import User
    from django.db import connection

    from accounts.wallets import wallet_deposit, wallet_set_commission_rate
    from campaigns.budget import campaign_unit_cost
    from campaigns.models import Campaign, CampaignState
    from campaigns.services import campaign_publish
    from results.models import Assignment
    from tasks.models import Task
    from tests.factories import CampaignFactory, ProjectFactory, RequesterFactory

    requester = RequesterFactory(username="bench-requester")
    wallet_set_commission_rate(user=requester, rate=RATE)
    project = ProjectFactory(owner=requester)
    campaign = CampaignFactory(
        project=project, state=CampaignState.UNPUBLISHED, payment_per_result=PAYMENT, results_per_task=1
    )
    c = campaign.pk
    statements = [
        harness.insert_select_sql(
            User,
            {
                "username": "'worker-' || g",
                "password": "'!'",
                "email": "'worker-' || g || '@example.org'",
                "is_active": "true",
                "is_staff": "false",
                "is_superuser": "false",
                "date_joined": "now()",
                "first_name": "''",
                "last_name": "''",
            },
            f"FROM generate_series(1, {WORKERS}) g",
        ),
        harness.insert_select_sql(
            Task,
            {
                "campaign_id": str(c),
                "position": "g",
                "input": "'{}'::jsonb",
                "results_needed": "1",
                "is_open": "false",
            },
            f"FROM generate_series(1, {n}) g",
        ),
        harness.insert_select_sql(
            Assignment,
            {
                "task_id": "t.id",
                "campaign_id": str(c),
                "worker_id": f"(SELECT min(id) FROM auth_user WHERE username LIKE 'worker-%%') + mod(t.position, {WORKERS})",
                "state": "'submitted'",
                "answers": "jsonb_build_object('label', 'answer ' || t.position)",
                "accepted_at": "now() - interval '4 days'",
                "expires_at": "now() - interval '3 days'",
                "submitted_at": "now() - interval '4 days'",
                "review_due_at": "now() - interval '1 day' + t.position * interval '1 millisecond'",
                "feedback": "''",
            },
            f"FROM tasks_task t WHERE t.campaign_id = {c}",
        ),
    ]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    Campaign.objects.filter(pk=c).update(tasks_count=n)
    campaign.refresh_from_db()
    budget = (PAYMENT + (PAYMENT * RATE).quantize(Decimal("0.01"))) * n
    wallet_deposit(user=requester, amount=budget, reason="bench", idempotency_key="bench-funds")
    campaign = campaign_publish(campaign=campaign)
    assert campaign.frozen_amount == campaign_unit_cost(campaign) * n
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return requester, campaign


def baseline_seconds(url: str) -> tuple[float, int]:
    conn = harness.raw_connection(url)
    with conn.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "UPDATE results_assignment SET state = 'approved', reviewed_at = now(), updated_at = now() "
            "WHERE state = 'submitted' AND review_due_at <= now()"
        )
        count = cursor.rowcount
        conn.commit()
        elapsed = time.perf_counter() - started
        cursor.execute(
            "UPDATE results_assignment SET state = 'submitted', reviewed_at = NULL WHERE state = 'approved'"
        )
        conn.commit()
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE results_assignment")
    conn.close()
    return elapsed, count


def check(n: int, requester, campaign) -> None:
    from django.db.models import Sum

    from accounts.models import LedgerEntry, Wallet

    campaign.refresh_from_db()
    wallet = Wallet.objects.get(user=requester)
    paid = LedgerEntry.objects.filter(kind="payment").aggregate(n=Sum("amount"))["n"]
    workers = Wallet.objects.filter(kind="user").exclude(user=requester).aggregate(s=Sum("available"))["s"]
    assert LedgerEntry.objects.filter(kind="payment").count() == n
    assert paid == workers == PAYMENT * n, (paid, workers)
    assert campaign.frozen_amount == 0 and wallet.frozen == 0, (campaign.frozen_amount, wallet.frozen)
    platform = Wallet.objects.get(kind="platform").available
    assert platform == (PAYMENT * RATE).quantize(Decimal("0.01")) * n


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--results", type=int, default=1_000_000)
    args = parser.parse_args()
    url = harness.setup()

    started = time.perf_counter()
    requester, campaign = create_due_results(args.results)
    print(f"created {args.results} due results in {time.perf_counter() - started:.1f} s")

    raw, count = baseline_seconds(url)
    assert count == args.results, count
    print(f"baseline: one plain UPDATE of the {count} rows to approved (no money): {raw:.2f} s")

    from results.review import results_auto_approve_due

    started = time.perf_counter()
    approved = results_auto_approve_due()
    elapsed = time.perf_counter() - started
    assert approved == args.results, approved
    again = results_auto_approve_due()
    assert again == 0, again
    check(args.results, requester, campaign)
    from accounts.models import LedgerEntry

    ledger_rows = LedgerEntry.objects.count()
    rate = args.results / elapsed
    ratio = elapsed / raw
    print(
        f"ours: auto-approve sweep paying each result (ledger row per payment): {elapsed:.2f} s "
        f"({rate:,.0f} results/s paid; target >= 20,000); ratio to the plain UPDATE: {ratio:.2f}"
    )
    harness.result(
        {
            "benchmark": "auto_approve",
            "results": args.results,
            "wall_s": round(elapsed, 3),
            "results_per_s": round(rate),
            "baseline_plain_update_s": round(raw, 3),
            "baseline_results_per_s": round(args.results / raw),
            "ratio_to_baseline": round(ratio, 2),
            "ledger_rows": ledger_rows,
        }
    )


if __name__ == "__main__":
    main()
