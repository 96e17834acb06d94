"""Export of N submitted results through a CSV endpoint, against a raw ``COPY (SELECT ...) TO STDOUT``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench .venv/bin/python bench/export.py --rows 1000000
    DATABASE_URL=... .venv/bin/python bench/export.py --rows 1000000 --surface turkle

Creates N tasks and N submitted results with SQL (``INSERT ... SELECT generate_series``), then downloads
``GET /api/v1/campaigns/{id}/results.csv`` (``--surface native``, the default) or Turkle's
``GET /api/batches/{id}/results/`` (``--surface turkle``) from a gunicorn server (one sync worker),
streaming the body to nowhere, and measures wall time and the server's peak RSS. The baseline is a raw COPY
of the same rows (same joins, same columns) to STDOUT.
"""

import argparse
import socket
import time

import harness

WORKERS = 1000


class _Sink:
    def __init__(self):
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def create_results(rows: int):
    from django.contrib.auth.models import User
    from django.db import connection

    from campaigns.models import CampaignState
    from results.models import Assignment
    from tasks.models import ImportJob, Task
    from tests.factories import CampaignFactory, ProjectFactory, RequesterFactory

    requester = RequesterFactory(username="bench-requester")
    project = ProjectFactory(
        owner=requester,
        html_template="<p>${item_id}</p><p>${sentence}</p><p>${language}</p><input name='label'>",
    )
    campaign = CampaignFactory(project=project, state=CampaignState.ACTIVE, results_per_task=1)
    ImportJob.objects.create(campaign=campaign, header=["item_id", "sentence", "language"], rows=rows)
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
                "input": (
                    "jsonb_build_object('item_id', 'item-' || g, 'sentence', 'A sentence, number ' || g, "
                    "'language', (ARRAY['French','German','=Spanish'])[1 + mod(g, 3)])"
                ),
                "results_needed": "1",
                "is_open": "false",
            },
            f"FROM generate_series(1, {rows}) g",
        ),
        harness.insert_select_sql(
            Assignment,
            {
                "task_id": "t.id",
                "campaign_id": str(c),
                "worker_id": f"(SELECT min(id) FROM auth_user WHERE username LIKE 'worker-%%') + mod(t.position, {WORKERS})",
                "state": "'submitted'",
                "answers": (
                    "jsonb_build_object('label', 'translation of ' || t.position, "
                    "'tags', jsonb_build_array('fluent', 'checked'))"
                ),
                "accepted_at": "now() - interval '10 minutes'",
                "expires_at": "now() + interval '50 minutes'",
                "submitted_at": "now() - interval '1 minute'",
                "review_due_at": "now() + interval '3 days'",
                "quality": "mod(t.position, 101)",
                "feedback": "''",
            },
            f"FROM tasks_task t WHERE t.campaign_id = {c}",
        ),
    ]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
        # Vacuumed now, so that autovacuum does not go over the two million new rows during a measurement.
        cursor.execute("VACUUM (ANALYZE) tasks_task, results_assignment")
    return requester, campaign


BASELINE_SQL = """
COPY (
    SELECT a.id, a.task_id, t.position, u.username, a.state, a.accepted_at, a.submitted_at, a.quality,
           t.input ->> 'item_id', t.input ->> 'sentence', t.input ->> 'language',
           a.answers ->> 'label', a.answers ->> 'tags'
    FROM results_assignment a
    JOIN tasks_task t ON t.id = a.task_id
    JOIN auth_user u ON u.id = a.worker_id
    WHERE a.campaign_id = {campaign} AND a.state IN ('submitted', 'approved', 'rejected', 'soft_rejected')
    ORDER BY a.id
) TO STDOUT WITH (FORMAT csv, HEADER true)
"""


def raw_copy_out_seconds(url: str, campaign_id: int) -> tuple[float, int]:
    conn = harness.raw_connection(url)
    sink = _Sink()
    with conn.cursor() as cursor:
        started = time.perf_counter()
        cursor.copy_expert(BASELINE_SQL.format(campaign=campaign_id), sink, 1 << 16)
        elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, sink.size


def download(port: int, path: str, token: str) -> tuple[int, int, int]:
    """(status, bytes, newlines) of a GET read straight off the socket into a reused buffer: a Python HTTP
    client would spend more time decoding the chunked body than the server spends producing it."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {token}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        buffer = bytearray(1 << 20)
        view = memoryview(buffer)
        first = b""
        size = lines = 0
        while received := sock.recv_into(view):
            if not first:
                first = bytes(view[:received])
            size += received
            lines += buffer.count(b"\n", 0, received)
    return int(first.split(b" ", 2)[1]), size, lines


PATHS = {"native": "/api/v1/campaigns/{id}/results.csv", "turkle": "/api/batches/{id}/results/"}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--surface", choices=sorted(PATHS), default="native")
    args = parser.parse_args()
    url = harness.setup()

    started = time.perf_counter()
    requester, campaign = create_results(args.rows)
    token = harness.token_for(requester)
    print(f"created {args.rows} submitted results in {time.perf_counter() - started:.1f} s")

    runs = sorted(raw_copy_out_seconds(url, campaign.pk) for _ in range(3))
    raw, raw_bytes = runs[1]
    print(
        f"baseline: raw COPY (SELECT ...) TO STDOUT, median of 3: {raw:.2f} s, {raw_bytes / 1e6:.1f} MB; "
        f"runs {', '.join(f'{r:.2f}' for r, _ in runs)} s"
    )

    with harness.Server(workers=1) as server:
        before = server.peak_rss_mb()
        started = time.perf_counter()
        status, size, lines = download(server.port, PATHS[args.surface].format(id=campaign.pk), token)
        elapsed = time.perf_counter() - started
        peak = server.peak_rss_mb()
        master = server.master_rss_mb()
    if status != 200:
        raise SystemExit(f"export failed: {status}")
    assert lines >= args.rows + 1, (lines, args.rows)
    print(
        f"ours: GET {PATHS[args.surface]} through gunicorn: {elapsed:.2f} s ({args.rows / elapsed:,.0f} rows/s), "
        f"{size / 1e6:.1f} MB, server worker peak RSS {peak} MB (idle {before} MB; master {master} MB)"
    )
    ratio = elapsed / raw
    # The 3x target is the native export's; Turkle's byte-compatible CSV is formatted in Python.
    target = " (target <= 3)" if args.surface == "native" else ""
    print(f"ratio to raw COPY TO: {ratio:.2f}{target}, peak RSS target < 100 MB")
    harness.result(
        {
            "benchmark": "export",
            "surface": args.surface,
            "rows": args.rows,
            "wall_s": round(elapsed, 3),
            "rows_per_s": round(args.rows / elapsed),
            "body_mb": round(size / 1e6, 1),
            "baseline_raw_copy_to_s": round(raw, 3),
            "baseline_mb": round(raw_bytes / 1e6, 1),
            "ratio_to_baseline": round(ratio, 2),
            "server_peak_rss_mb": peak,
            "server_idle_rss_mb": before,
        }
    )


if __name__ == "__main__":
    main()
