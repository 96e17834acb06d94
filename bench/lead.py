"""Claim + submit of one worker far ahead of everyone else, against the raw SQL claim + submit loop.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench .venv/bin/python bench/lead.py \\
        --tasks 50000 --leads 0,10000,40000 --pairs 300

On a campaign of several results per task, the tasks a worker has done stay open until other workers fill
them. A worker who is far ahead (three annotators who each do every task, the fastest of them thousands of
tasks in front) must not pay for each task they already had on every claim. For each lead L: the worker is
given submitted results on the first L tasks (with SQL), then claims and submits ``--pairs`` tasks through
HTTP (gunicorn, one client); the figure is milliseconds per claim + submit pair. The baseline runs the same
with the raw SQL loop of ``bench/claim.py`` (the first open task in order that the worker has not had,
``FOR UPDATE SKIP LOCKED``) on a campaign of its own with the same lead. ``ratio_to_baseline`` is ours ÷ raw
rate at the largest lead; ``growth`` is our cost per pair at the largest lead ÷ at the smallest.
"""

import argparse
import threading
import time

import claim
import harness

NEVER = float("inf")  # the client loops stop after --pairs pairs instead of at a deadline


def give_lead(campaign_id: int, worker_id: int, lead: int) -> None:
    """Submitted results of the worker on every task up to position ``lead`` that the worker has not had."""
    from django.db import connection

    from results.models import Assignment

    sql, params = harness.insert_select_sql(
        Assignment,
        {
            "task_id": "t.id",
            "campaign_id": str(campaign_id),
            "worker_id": str(worker_id),
            "state": "'submitted'",
            "answers": "'{}'::jsonb",
            "accepted_at": "now() - interval '1 hour'",
            "expires_at": "now()",
            "submitted_at": "now() - interval '1 hour'",
            "review_due_at": "now() + interval '3 days'",
            "feedback": "''",
        },
        f"FROM tasks_task t WHERE t.campaign_id = {campaign_id} AND t.position <= {lead} AND NOT EXISTS "
        f"(SELECT 1 FROM results_assignment a WHERE a.task_id = t.id AND a.worker_id = {worker_id})",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def ms_per_pair(run) -> tuple[float, claim.Tally]:
    tally = claim.Tally()
    started = time.perf_counter()
    thread = threading.Thread(target=run, args=(tally,))
    thread.start()
    thread.join()
    elapsed = time.perf_counter() - started
    if tally.errors:
        raise SystemExit(f"errors: {tally.errors}")
    return elapsed * 1000 / max(tally.completed, 1), tally


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--leads", default="0,10000,40000", help="leads to measure at, comma-separated")
    parser.add_argument("--pairs", type=int, default=300, help="claim + submit pairs measured at each lead")
    args = parser.parse_args()
    leads = sorted(int(x) for x in args.leads.split(","))
    if leads[-1] + args.pairs * len(leads) > args.tasks:
        raise SystemExit("--tasks must exceed the largest lead plus the pairs measured")
    url = harness.setup()
    insert_sql = claim._raw_insert_sql()

    ours_campaign = claim.make_campaign(args.tasks, "bench lead")
    raw_campaign = claim.make_campaign(args.tasks, "raw lead")
    (ours_worker, token), (raw_worker, _) = claim.make_workers(2, "lead")
    runs = []
    with harness.Server(workers=1) as server:
        for lead in leads:
            give_lead(ours_campaign.pk, ours_worker, lead)
            give_lead(raw_campaign.pk, raw_worker, lead)
            claim.settle()

            def ours(tally):
                claim._http_client(server.port, token, ours_campaign.pk, NEVER, tally, pairs=args.pairs)

            def raw(tally):
                claim._raw_client(
                    url, raw_worker, raw_campaign.pk, NEVER, tally, insert_sql, pairs=args.pairs
                )

            ours_ms, ours_tally = ms_per_pair(ours)
            raw_ms, raw_tally = ms_per_pair(raw)
            runs.append(
                {
                    "lead": lead,
                    "ours_ms_per_pair": round(ours_ms, 2),
                    "raw_ms_per_pair": round(raw_ms, 2),
                    "ours_pairs": ours_tally.completed,
                    "raw_pairs": raw_tally.completed,
                }
            )
            print(f"lead {lead:>7,}: ours {ours_ms:6.2f} ms per claim + submit | raw SQL {raw_ms:6.2f} ms")

    over, double = claim._check(url, ours_campaign.pk)
    first, last = runs[0], runs[-1]
    growth = round(last["ours_ms_per_pair"] / first["ours_ms_per_pair"], 2)
    ratio = round(last["raw_ms_per_pair"] / last["ours_ms_per_pair"], 2)
    print(
        f"ours at lead {last['lead']:,} / ours at lead {first['lead']:,}: {growth}; rate ratio to raw there: {ratio}"
    )
    print(f"over-assigned tasks: {over}; tasks given twice to one worker: {double}")
    harness.result(
        {
            "benchmark": "lead",
            "tasks": args.tasks,
            "pairs": args.pairs,
            "runs": runs,
            "growth": growth,
            "ratio_to_baseline": ratio,
            "over_assigned_tasks": over,
            "double_assignments": double,
        }
    )


if __name__ == "__main__":
    main()
