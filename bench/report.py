"""An ``aggregate`` report (Dawid–Skene) over a campaign with N answers, run by a Celery worker process,
against crowd-kit's ``DawidSkene`` on the same answers already in memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench_report .venv/bin/python bench/report.py --answers 1000000

Creates N/5 tasks with a known label (3 labels), 100 workers of accuracies from 0.95 down to 0.45, and five
answers per task, all with SQL. The baseline loads the answers into a pandas DataFrame (not timed) and times
crowd-kit's fit. Ours: a run is queued and a Celery worker process (solo pool, started here) reads the results
through a server-side cursor, aggregates, writes the CSV, JSON Lines and RDS files and stores the version;
timed from the queueing to the success status, and the worker's peak resident memory is read from /proc.
Targets: at most 1.5x the baseline's time and 1 GB peak at 1M answers.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid

import harness

WORKERS = 100
LABELS = 3


def create_answers(n: int):
    from django.contrib.auth.models import User
    from django.db import connection

    from results.models import Assignment
    from tasks.models import Task
    from tests.factories import CampaignFactory, RequesterFactory

    requester = RequesterFactory(username="bench-requester")
    campaign = CampaignFactory(project__owner=requester, results_per_task=5)
    tasks = n // 5
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
                "input": f"jsonb_build_object('truth', 'label-' || mod(g * 7919, {LABELS}))",
                "results_needed": "5",
                "is_open": "false",
            },
            f"FROM generate_series(1, {tasks}) g",
        ),
        # Answer k of task t comes from worker (t*5 + k) mod 100, whose accuracy falls with its number.
        harness.insert_select_sql(
            Assignment,
            {
                "task_id": "t.id",
                "campaign_id": str(c),
                "worker_id": f"w0.first + mod(t.position * 5 + k, {WORKERS})",
                "state": "'submitted'",
                "answers": (
                    "jsonb_build_object('label', CASE WHEN random() < 0.95 - 0.5 * mod(t.position * 5 + k, "
                    f"{WORKERS})::float / {WORKERS} THEN t.input->>'truth' ELSE 'label-' || "
                    f"mod((t.input->>'truth' = 'label-0')::int + (random() * {LABELS - 1})::int + 1, {LABELS}) END)"
                ),
                "accepted_at": "now() - interval '1 day'",
                "expires_at": "now() + interval '1 day'",
                "submitted_at": "now() - interval '23 hours'",
                "feedback": "''",
            },
            f"FROM tasks_task t, generate_series(0, 4) k, "
            f"(SELECT min(id) AS first FROM auth_user WHERE username LIKE 'worker-%%') w0 WHERE t.campaign_id = {c}",
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("VACUUM ANALYZE")
    return requester, campaign


def baseline_seconds(url: str, campaign_id: int) -> tuple[float, object]:
    import pandas as pd
    from crowdkit.aggregation import DawidSkene

    conn = harness.raw_connection(url)
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT task_id, worker_id, answers->>'label' FROM results_assignment WHERE campaign_id = %s",
            [campaign_id],
        )
        frame = pd.DataFrame(cursor.fetchall(), columns=["task", "worker", "label"])
    conn.close()
    started = time.perf_counter()
    labels = DawidSkene(n_iter=100).fit_predict(frame)
    return time.perf_counter() - started, labels


def start_worker(queue: str) -> subprocess.Popen:
    env = {
        **os.environ,
        **harness.SERVER_ENV,
        "DATABASE_URL": harness.database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-report-worker-", suffix=".log", delete=False)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crowdplatform",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--loglevel",
            "WARNING",
        ],
        cwd=harness.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until_ready(worker: subprocess.Popen) -> None:
    from crowdplatform.celery import app

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            sys.exit("the worker exited at start")
        try:
            if app.control.ping(timeout=1):
                return
        except NotImplementedError:  # the file-system broker cannot broadcast: give the worker time
            time.sleep(15)
            return
    sys.exit("the worker did not answer a ping in 120 s")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--answers", type=int, default=1_000_000)
    args = parser.parse_args()
    queue = f"bench-report-{uuid.uuid4().hex}"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    url = harness.setup()

    started = time.perf_counter()
    requester, campaign = create_answers(args.answers)
    print(
        f"created {args.answers} answers on {args.answers // 5} tasks in {time.perf_counter() - started:.1f} s"
    )

    raw, expected = baseline_seconds(url, campaign.pk)
    print(f"baseline: crowd-kit DawidSkene on the answers in memory: {raw:.2f} s")

    from django.db import transaction

    from reports.services import report_create, report_run_queue

    report = report_create(
        user=requester,
        name="bench",
        kind="aggregate",
        scope="campaign",
        scope_id=campaign.pk,
        parameters={"method": "dawid_skene", "fields": ["label"]},
    )
    worker = start_worker(queue)
    try:
        wait_until_ready(worker)  # the worker's start is not part of the run
        started = time.perf_counter()
        with transaction.atomic():
            run = report_run_queue(user=requester, report=report)
        while True:
            run.refresh_from_db()
            if run.status not in ("queued", "running"):
                break
            if worker.poll() is not None:
                sys.exit("the worker died")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        peak = peak_rss_mb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert run.status == "success", run.output
    inside = (run.finished_at - run.started_at).total_seconds()
    agree = check(run, expected)
    ratio = elapsed / raw
    print(
        f"ours: queued → success {elapsed:.2f} s (the run itself {inside:.2f} s); ratio {ratio:.2f} (target ≤ 1.5); "
        f"worker peak RSS {peak} MB (target ≤ 1024); labels equal to crowd-kit's on {agree:.4%} of tasks"
    )
    harness.result(
        {
            "answers": args.answers,
            "tasks": args.answers // 5,
            "baseline_crowdkit_seconds": round(raw, 3),
            "ours_seconds": round(elapsed, 3),
            "ours_run_seconds": round(inside, 3),
            "ratio": round(ratio, 3),
            "worker_peak_rss_mb": peak,
            "labels_equal_to_crowdkit": round(agree, 6),
        }
    )


def check(run, expected) -> float:
    import csv
    import io

    from django.core.files.storage import default_storage

    item = run.version.files.get(role="data", name="aggregate")
    with default_storage.open(item.file.name, "rb") as handle:
        rows = csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8"))
        ours = {int(r["task_id"]): r["answer"] for r in rows}
    same = sum(ours.get(task) == label for task, label in expected.items())
    return same / len(expected)


if __name__ == "__main__":
    main()
