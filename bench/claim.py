"""Claim + submit through HTTP at several concurrencies, against a raw SQL ``SKIP LOCKED`` claim + submit loop.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench .venv/bin/python bench/claim.py \\
        --tasks 10000,1000000 --workers 8,32 --seconds 30

For each campaign size and client count: a fresh campaign of N tasks x 3 results for each side (made with
SQL), one worker user and token per concurrent client, and a gunicorn server. Each client loops ``POST /api/v1/work/campaigns/{id}/claim/`` then
``POST /api/v1/work/assignments/{id}/submit/`` for the given time; the figures are completed (submitted)
results per second and the latency of each request. The baseline runs the same claim and submit
transactions as raw SQL (``FOR UPDATE SKIP LOCKED``, one connection per client) on a campaign of the same
size. After each run, SQL checks that no task holds more results than it needs (over-assignment) and that
no worker got one task twice; a side that gave out every task before the time was up is flagged
(``ran_out_of_tasks``), since its rate then understates it.

``--kind jobs`` also runs, in the same server and run, a campaign of as many jobs of 3 component screens
each (one task per job), whose clients submit answers for the 3 screens that the server checks component
by component; it reports that rate and its ratio to the template tasks' (``jobs_to_templates``).
"""

import argparse
import json
import threading
import time

import harness

RESULTS_PER_TASK = 3
ANSWERS = {"label": "yes", "tags": ["a", "b"], "comment": "looks right"}

OVER_ASSIGNED_SQL = """
SELECT count(*) FROM (
    SELECT a.task_id FROM results_assignment a JOIN tasks_task t ON t.id = a.task_id
    WHERE a.campaign_id = %s
      AND (a.state IN ('submitted', 'approved', 'soft_rejected') OR (a.state = 'accepted' AND a.expires_at > now()))
    GROUP BY a.task_id, t.results_needed HAVING count(*) > t.results_needed
) x
"""
DOUBLE_SQL = """
SELECT count(*) FROM (
    SELECT 1 FROM results_assignment WHERE campaign_id = %s GROUP BY task_id, worker_id HAVING count(*) > 1
) x
"""

RAW_CANDIDATE = """
SELECT t.id, t.results_needed FROM tasks_task t
WHERE t.campaign_id = %(campaign)s AND t.is_open
  AND NOT EXISTS (SELECT 1 FROM results_assignment a WHERE a.task_id = t.id AND a.worker_id = %(worker)s)
ORDER BY t.position LIMIT 1 FOR UPDATE SKIP LOCKED
"""
RAW_HOLDING = """
SELECT count(*) FROM results_assignment
WHERE task_id = %(task)s AND (state IN ('submitted', 'approved', 'soft_rejected')
                              OR (state = 'accepted' AND expires_at > now()))
"""
RAW_CLOSE = """
UPDATE tasks_task SET is_open = false, reopen_at = (
    SELECT min(expires_at) FROM results_assignment WHERE task_id = %(task)s AND state = 'accepted'
      AND expires_at > now()
) WHERE id = %(task)s
"""
RAW_SUBMIT = """
UPDATE results_assignment SET state = 'submitted', answers = %(answers)s, submitted_at = now(),
       review_due_at = now() + interval '3 days', updated_at = now()
WHERE id = %(assignment)s AND worker_id = %(worker)s AND state = 'accepted'
"""


def make_campaign(tasks: int, name: str):
    from django.db import connection

    from campaigns.models import CampaignState
    from tasks.models import Task
    from tests.factories import CampaignFactory, ProjectFactory

    project = ProjectFactory(html_template="<p>${text}</p><input name='label'>")
    campaign = CampaignFactory(
        project=project, name=name, state=CampaignState.ACTIVE, results_per_task=RESULTS_PER_TASK
    )
    sql, params = harness.insert_select_sql(
        Task,
        {
            "campaign_id": str(campaign.pk),
            "position": "g",
            "input": "jsonb_build_object('text', 'item ' || g)",
            "results_needed": str(RESULTS_PER_TASK),
            "is_open": "true",
        },
        f"FROM generate_series(1, {tasks}) g",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return campaign


# The 3 screens every bench job shows (a screen may appear in many jobs), and valid answers to them.
JOB_SCREENS = [
    [
        {"type": "Text", "style": "Question", "text": "Is it a cat?"},
        {"type": "BinaryChoice", "option1": "Yes", "option2": "No"},
    ],
    [{"type": "Rating", "steps": 5, "halfSteps": True}, {"type": "Stepper", "min": 0, "max": 10, "step": 1}],
    [{"type": "TextInput", "hint": "Name it"}, {"type": "Toggle", "label": "Blurry"}],
]
JOB_RESULTS = [
    {"1": {"selectedOption": "Yes"}},
    {"0": {"rating": 3.5}, "1": {"result": 4}},
    {"0": {"text": "tabby"}, "1": {"checked": False}},
]


def make_job_campaign(tasks: int, name: str):
    """A campaign of ``tasks`` jobs (each the same 3 screens), one task per job; the answers body to send."""
    from django.db import connection

    from campaigns.models import CampaignState
    from projects.models import Job, JobScreen
    from projects.screens import screen_create
    from tasks.models import Task
    from tests.factories import CampaignFactory, ProjectFactory

    project = ProjectFactory(html_template="")
    owner = project.owner
    screens = [
        screen_create(owner=owner, name=f"bench screen {i}", components=c) for i, c in enumerate(JOB_SCREENS)
    ]
    campaign = CampaignFactory(
        project=project, name=name, state=CampaignState.ACTIVE, results_per_task=RESULTS_PER_TASK
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM projects_job")
        base = cursor.fetchone()[0]
        for sql, params in (
            harness.insert_select_sql(
                Job,
                {
                    "id": f"{base} + g",
                    "owner_id": str(owner.pk),
                    "name": "'bench job ' || g",
                    "description": "''",
                    "properties": "'{}'::jsonb",
                    "archived": "false",
                    "created_at": "now()",
                    "updated_at": "now()",
                },
                f"FROM generate_series(1, {tasks}) g",
            ),
            harness.insert_select_sql(
                JobScreen,
                {
                    "job_id": f"{base} + g",
                    "screen_id": f"(ARRAY{[s.pk for s in screens]})[p]",
                    "position": "p",
                },
                f"FROM generate_series(1, {tasks}) g, generate_series(1, {len(screens)}) p",
            ),
            harness.insert_select_sql(
                Task,
                {
                    "campaign_id": str(campaign.pk),
                    "position": "g",
                    "input": "'{}'::jsonb",
                    "job_id": f"{base} + g",
                    "results_needed": str(RESULTS_PER_TASK),
                    "is_open": "true",
                },
                f"FROM generate_series(1, {tasks}) g",
            ),
        ):
            cursor.execute(sql, params)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('projects_job', 'id'), (SELECT max(id) FROM projects_job))"
        )
    now = "2026-01-01T00:00:00Z"
    answers = {
        "screens": [
            {"screen": s.pk, "startedAt": now, "completedAt": now, "results": r}
            for s, r in zip(screens, JOB_RESULTS, strict=True)
        ]
    }
    return campaign, json.dumps({"answers": answers}).encode()


def settle() -> None:
    """Vacuum and analyze the freshly written tables now, so that autovacuum does not run over a million new
    rows in the middle of whichever measurement comes next."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) tasks_task, results_assignment, projects_job, projects_jobscreen")


def make_workers(count: int, prefix: str) -> list[tuple[int, str]]:
    from tests.factories import UserFactory

    workers = [UserFactory(username=f"{prefix}-{i}") for i in range(count)]
    return [(w.pk, harness.token_for(w)) for w in workers]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.completed = 0
        self.ran_out = False  # a client found no task left before the time was up
        self.errors: dict[str, int] = {}
        self.latencies: dict[str, list[float]] = {"claim": [], "submit": []}

    def add(self, completed: int, latencies: dict[str, list[float]], errors: dict[str, int]) -> None:
        with self.lock:
            self.completed += completed
            for kind, values in latencies.items():
                self.latencies[kind].extend(values)
            for key, n in errors.items():
                self.errors[key] = self.errors.get(key, 0) + n


def _http_client(
    port: int,
    token: str,
    campaign_id: int,
    deadline: float,
    tally: Tally,
    pairs: int | None = None,
    body: bytes | None = None,
) -> None:
    client = harness.LeanHttpClient(
        port, {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    )
    body = body or json.dumps({"answers": ANSWERS}).encode()
    latencies: dict[str, list[float]] = {"claim": [], "submit": []}
    errors: dict[str, int] = {}
    completed = 0

    def post(kind: str, path: str, payload: bytes = b""):
        started = time.perf_counter()
        try:
            status, data = client.request("POST", path, payload)
        except (OSError, ValueError) as exc:
            errors[f"{kind}: {type(exc).__name__}"] = errors.get(f"{kind}: {type(exc).__name__}", 0) + 1
            return None, None
        latencies[kind].append(time.perf_counter() - started)
        return status, data

    while time.perf_counter() < deadline and (pairs is None or completed + sum(errors.values()) < pairs):
        status, data = post("claim", f"/api/v1/work/campaigns/{campaign_id}/claim/")
        if status == 409 and b"no-task-available" in (data or b""):
            tally.ran_out = True
            break
        if status != 201:
            key = f"claim {status}: {(data or b'')[:120]!r}"
            errors[key] = errors.get(key, 0) + 1
            continue
        assignment_id = json.loads(data)["data"]["id"]
        status, data = post("submit", f"/api/v1/work/assignments/{assignment_id}/submit/", body)
        if status == 200:
            completed += 1
        else:
            key = f"submit {status}: {(data or b'')[:120]!r}"
            errors[key] = errors.get(key, 0) + 1
    client.close()
    tally.add(completed, latencies, errors)


def _raw_client(
    url: str,
    worker_id: int,
    campaign_id: int,
    deadline: float,
    tally: Tally,
    insert_sql: str,
    pairs: int | None = None,
):
    conn = harness.raw_connection(url)
    cursor = conn.cursor()
    answers = json.dumps(ANSWERS)
    latencies: dict[str, list[float]] = {"claim": [], "submit": []}
    completed = 0
    while time.perf_counter() < deadline and (pairs is None or completed < pairs):
        started = time.perf_counter()
        cursor.execute(RAW_CANDIDATE, {"campaign": campaign_id, "worker": worker_id})
        found = cursor.fetchone()
        if found is None:
            conn.rollback()
            tally.ran_out = True
            break
        task_id, needed = found
        cursor.execute(RAW_HOLDING, {"task": task_id})
        live = cursor.fetchone()[0]
        cursor.execute(insert_sql, {"task": task_id, "worker": worker_id})
        assignment_id = cursor.fetchone()[0]
        if live + 1 >= needed:
            cursor.execute(RAW_CLOSE, {"task": task_id})
        conn.commit()
        latencies["claim"].append(time.perf_counter() - started)

        started = time.perf_counter()
        cursor.execute("SELECT id FROM tasks_task WHERE id = %(task)s FOR UPDATE", {"task": task_id})
        cursor.execute(RAW_SUBMIT, {"answers": answers, "assignment": assignment_id, "worker": worker_id})
        cursor.execute(RAW_HOLDING, {"task": task_id})
        cursor.fetchone()
        conn.commit()
        latencies["submit"].append(time.perf_counter() - started)
        completed += 1
    conn.close()
    tally.add(completed, latencies, {})


def _run(clients: list[threading.Thread]) -> float:
    """Run the clients to the end; the seconds they ran (less than asked if they ran out of tasks)."""
    started = time.perf_counter()
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    return time.perf_counter() - started


def _summary(tally: Tally, seconds: float) -> dict:
    both = sorted(tally.latencies["claim"] + tally.latencies["submit"])
    out = {
        "completed": tally.completed,
        "seconds": round(seconds, 1),
        "completed_per_s": round(tally.completed / seconds, 1),
        "p50_ms": round(harness.percentile(both, 0.50) * 1000, 1),
        "p99_ms": round(harness.percentile(both, 0.99) * 1000, 1),
        "ran_out_of_tasks": tally.ran_out,
    }
    for kind in ("claim", "submit"):
        values = sorted(tally.latencies[kind])
        out[f"{kind}_p50_ms"] = round(harness.percentile(values, 0.50) * 1000, 1)
        out[f"{kind}_p99_ms"] = round(harness.percentile(values, 0.99) * 1000, 1)
    if tally.errors:
        out["errors"] = dict(sorted(tally.errors.items(), key=lambda kv: -kv[1])[:5])
    return out


def _raw_insert_sql() -> str:
    from django.db import connection

    from results.models import Assignment

    sql, params = harness.insert_select_sql(
        Assignment,
        {
            "task_id": "%%(task)s",
            "campaign_id": "(SELECT campaign_id FROM tasks_task WHERE id = %%(task)s)",
            "worker_id": "%%(worker)s",
            "state": "'accepted'",
            "answers": "'{}'::jsonb",
            "accepted_at": "now()",
            "expires_at": "now() + interval '1 hour'",
            "feedback": "''",
        },
        "",
    )
    with connection.cursor() as cursor:
        rendered = cursor.mogrify(sql, params)
    return (rendered.decode() if isinstance(rendered, bytes) else rendered) + " RETURNING id"


def _check(url: str, campaign_id: int) -> tuple[int, int]:
    conn = harness.raw_connection(url)
    with conn.cursor() as cursor:
        cursor.execute(OVER_ASSIGNED_SQL, [campaign_id])
        over = cursor.fetchone()[0]
        cursor.execute(DOUBLE_SQL, [campaign_id])
        double = cursor.fetchone()[0]
    conn.close()
    return over, double


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", default="200000", help="campaign sizes, comma-separated (default 200000)")
    parser.add_argument("--workers", default="8,32", help="concurrent clients, comma-separated")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--server-workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync or gthread)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument(
        "--kind",
        choices=["templates", "jobs"],
        default="templates",
        help="jobs: also run a campaign of jobs of 3 component screens in the same run",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.tasks.split(",")]
    concurrencies = [int(c) for c in args.workers.split(",")]
    url = harness.setup()
    insert_sql = _raw_insert_sql()
    print(
        f"server: gunicorn {args.server_workers} x {args.worker_class}"
        f"{f' ({args.threads} threads)' if args.worker_class == 'gthread' else ''}; {args.seconds:g} s per run"
    )

    runs = []
    with harness.Server(
        workers=args.server_workers, worker_class=args.worker_class, threads=args.threads
    ) as server:
        for size in sizes:
            for clients in concurrencies:
                # Fresh campaigns for every run, so each starts with all N tasks to give out.
                ours_campaign = make_campaign(size, f"bench {size} x {clients}")
                raw_campaign = make_campaign(size, f"raw {size} x {clients}")
                if args.kind == "jobs":
                    job_campaign, job_body = make_job_campaign(size, f"jobs {size} x {clients}")
                settle()
                workers = make_workers(clients, f"w{size}-{clients}")
                tally = Tally()
                deadline = time.perf_counter() + args.seconds
                elapsed = _run(
                    [
                        threading.Thread(
                            target=_http_client, args=(server.port, token, ours_campaign.pk, deadline, tally)
                        )
                        for _, token in workers
                    ]
                )
                ours = _summary(tally, elapsed)
                jobs = None
                if args.kind == "jobs":
                    tally = Tally()
                    deadline = time.perf_counter() + args.seconds
                    elapsed = _run(
                        [
                            threading.Thread(
                                target=_http_client,
                                args=(server.port, token, job_campaign.pk, deadline, tally),
                                kwargs={"body": job_body},
                            )
                            for _, token in workers
                        ]
                    )
                    jobs = _summary(tally, elapsed)
                tally = Tally()
                deadline = time.perf_counter() + args.seconds
                elapsed = _run(
                    [
                        threading.Thread(
                            target=_raw_client,
                            args=(url, worker_id, raw_campaign.pk, deadline, tally, insert_sql),
                        )
                        for worker_id, _ in workers
                    ]
                )
                raw = _summary(tally, elapsed)
                ratio = (
                    round(ours["completed_per_s"] / raw["completed_per_s"], 2)
                    if raw["completed_per_s"]
                    else None
                )
                over, double = _check(url, ours_campaign.pk)
                raw_over, raw_double = _check(url, raw_campaign.pk)
                run = {
                    "tasks": size,
                    "workers": clients,
                    "ours": ours,
                    "baseline_raw_sql": raw,
                    "ratio_to_baseline": ratio,
                    "over_assigned_tasks": over,
                    "double_assignments": double,
                    "raw_over_assigned_tasks": raw_over,
                    "raw_double_assignments": raw_double,
                }
                if jobs is not None:
                    run["jobs_of_3_screens"] = jobs
                    run["jobs_to_templates"] = (
                        round(jobs["completed_per_s"] / ours["completed_per_s"], 2)
                        if ours["completed_per_s"]
                        else None
                    )
                    run["jobs_over_assigned"], run["jobs_double_assignments"] = _check(url, job_campaign.pk)
                runs.append(run)
                print(
                    f"tasks {size:>9,} x {RESULTS_PER_TASK}, {clients:>2} clients: ours {ours['completed_per_s']:>7.1f}/s "
                    f"p50 {ours['p50_ms']} ms p99 {ours['p99_ms']} ms | raw SQL {raw['completed_per_s']:>7.1f}/s "
                    f"p50 {raw['p50_ms']} ms p99 {raw['p99_ms']} ms | ratio {ratio}"
                    + (f" | errors {ours['errors']}" if "errors" in ours else "")
                )
                print(
                    f"    over-assigned tasks: ours {over}, raw {raw_over}; "
                    f"tasks given twice to one worker: ours {double}, raw {raw_double}"
                )
                if jobs is not None:
                    print(
                        f"    jobs of 3 screens: {jobs['completed_per_s']:>7.1f}/s p50 {jobs['p50_ms']} ms "
                        f"p99 {jobs['p99_ms']} ms | jobs / templates {run['jobs_to_templates']} (target >= 0.77)"
                        + (f" | errors {jobs['errors']}" if "errors" in jobs else "")
                        + f" | over-assigned {run['jobs_over_assigned']}, twice {run['jobs_double_assignments']}"
                    )
                for side, figures in (("ours", ours), ("raw SQL", raw), *((("jobs", jobs),) if jobs else ())):
                    if figures["ran_out_of_tasks"]:
                        print(
                            f"    note: {side} gave out every task in {figures['seconds']} s (its rate is over that"
                            " time, and the last tasks had fewer workers left to take them: use more --tasks)"
                        )
        peak = server.peak_rss_mb()

    figures = {
        "benchmark": "claim",
        "seconds": args.seconds,
        "server": f"gunicorn {args.server_workers} x {args.worker_class} threads={args.threads}",
        "runs": runs,
        "ratio_to_baseline": {f"{r['tasks']}x{r['workers']}": r["ratio_to_baseline"] for r in runs},
        "kind": args.kind,
        "server_peak_rss_mb": peak,
    }
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        scaling = {}
        for clients in concurrencies:
            a = next(r for r in runs if r["tasks"] == small and r["workers"] == clients)["ours"][
                "completed_per_s"
            ]
            b = next(r for r in runs if r["tasks"] == large and r["workers"] == clients)["ours"][
                "completed_per_s"
            ]
            scaling[str(clients)] = round(a / b, 2) if b else None
        figures["slowdown_small_to_large"] = scaling
        print(
            f"rate at {small:,} tasks / rate at {large:,} tasks, per client count: {scaling} (target <= 1.5)"
        )
    harness.result(figures)


if __name__ == "__main__":
    main()
