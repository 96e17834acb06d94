"""Ingest of a generated N-row, 3-column CSV through the native API, against a raw COPY of the same file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench .venv/bin/python bench/ingest.py --rows 1000000

Uploads the file as a ``text/csv`` body to ``POST /api/v1/campaigns/{id}/tasks/`` on a gunicorn server
(one sync worker), and measures wall time, rows/s and the server's peak RSS. An import this large is
answered once its records are stored in blocks (``tasks.staging``); the write of its task rows that the
commit queues for Celery is then run and timed here too (``tasks_written_after_s``). The baseline is
``COPY bare_table FROM STDIN (FORMAT csv, HEADER)`` of the same file into a bare 3-text-column table.
Two references are printed beside it: a raw COPY of the same rows, already encoded, into the real (indexed)
task table, and a raw COPY of the rows' JSON into a bare ``(id bigserial primary key, input jsonb)`` table:
what any store of one row per task with its input as ``jsonb`` costs at the least.
"""

import argparse
import http.client
import os
import tempfile
import time

import harness


def generate_csv(path: str, rows: int) -> int:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("item_id,sentence,language\n")
        languages = ("French", "German", "Spanish", "Italian", "Dutch")
        chunk = []
        for i in range(1, rows + 1):
            chunk.append(f'item-{i},"A sentence, number {i}, to translate",{languages[i % 5]}\n')
            if len(chunk) == 10000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))
    return os.path.getsize(path)


def raw_copy_seconds(url: str, path: str) -> float:
    conn = harness.raw_connection(url)
    with conn.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare; CREATE TABLE bench_bare (a text, b text, c text)")
        conn.commit()
        started = time.perf_counter()
        with open(path, "rb") as f:
            cursor.copy_expert("COPY bench_bare FROM STDIN WITH (FORMAT csv, HEADER true)", f, 1 << 16)
        conn.commit()
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_bare")
        assert cursor.fetchone()[0] > 0
        cursor.execute("DROP TABLE bench_bare")
        conn.commit()
    conn.close()
    return elapsed


def _json_inputs(path: str) -> bytes:
    """The file's rows as the JSON objects the ingest stores, one per line, escaped for COPY's text format."""
    from tasks.copy_rows import csv_json_texts
    from tasks.ingest import _flat, _records

    with open(path, "rb") as f:
        header, chunks = _records(f, [])
        return (
            "".join(f"{text}\n" for text in csv_json_texts(header, _flat(chunks)))
            .replace("\\", "\\\\")
            .encode()
        )


def raw_copy_into_json_table_seconds(url: str, path: str) -> float:
    """The least that storing one row per task with its input as ``jsonb`` costs: the same rows' JSON into a
    bare ``(id bigserial primary key, input jsonb)`` table (median of 3)."""
    import io

    data = _json_inputs(path)
    conn = harness.raw_connection(url)
    runs = []
    with conn.cursor() as cursor:
        for _ in range(3):
            cursor.execute(
                "DROP TABLE IF EXISTS bench_json; CREATE TABLE bench_json (id bigserial primary key, input jsonb)"
            )
            conn.commit()
            started = time.perf_counter()
            cursor.copy_expert("COPY bench_json (input) FROM STDIN", io.BytesIO(data), 1 << 16)
            conn.commit()
            runs.append(time.perf_counter() - started)
        cursor.execute("DROP TABLE bench_json")
        conn.commit()
    conn.close()
    return sorted(runs)[1]


def raw_copy_into_tasks_seconds(url: str, path: str, campaign_id: int) -> float:
    """The database's own floor for our write: the same rows, already encoded, into the real task table
    (with its indexes), rolled back afterwards, so without the foreign-key checks run at commit."""
    import io

    from tasks.copy_rows import csv_json_texts, task_copy_lines
    from tasks.ingest import _flat, _records

    with open(path, "rb") as f:
        header, chunks = _records(f, [])
        lines = task_copy_lines(
            csv_json_texts(header, _flat(chunks)), campaign_id=campaign_id, start=1, needed=3, counter=[0]
        )
        data = "".join(lines).replace("\\", "\\\\").encode()
    conn = harness.raw_connection(url)
    with conn.cursor() as cursor:
        started = time.perf_counter()
        cursor.copy_expert(
            "COPY tasks_task (campaign_id, position, input, results_needed, is_open) FROM STDIN",
            io.BytesIO(data),
            size=1 << 16,
        )
        elapsed = time.perf_counter() - started
    conn.rollback()
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    url = harness.setup()

    from campaigns.models import CampaignState
    from tasks.staging import tasks_write_staged
    from tests.factories import CampaignFactory, ProjectFactory, RequesterFactory

    requester = RequesterFactory(username="bench-requester")
    template = "<p>${item_id}</p><p>${sentence}</p><p>${language}</p><input name='translation'>"
    project = ProjectFactory(owner=requester, html_template=template)
    campaign = CampaignFactory(project=project, state=CampaignState.UNPUBLISHED, results_per_task=3)
    token = harness.token_for(requester)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tasks.csv")
        size = generate_csv(path, args.rows)
        print(f"generated {args.rows} rows, {size / 1e6:.1f} MB")

        runs = sorted(raw_copy_seconds(url, path) for _ in range(3))
        raw = runs[1]
        print(
            f"baseline: raw COPY into a bare table, median of 3: {raw:.2f} s ({args.rows / raw:,.0f} rows/s); "
            f"runs {', '.join(f'{r:.2f}' for r in runs)} s"
        )

        # The server queues the write of staged tasks on its file-system broker: here, in a folder of its own.
        os.environ["CROWD_VAR_DIR"] = os.path.join(tmp, "var")
        with harness.Server(workers=1) as server:
            before = server.peak_rss_mb()
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=3600, blocksize=1 << 16)
            started = time.perf_counter()
            with open(path, "rb") as f:
                conn.request(
                    "POST",
                    f"/api/v1/campaigns/{campaign.pk}/tasks/",
                    body=f,
                    headers={
                        "Authorization": f"Token {token}",
                        "Content-Type": "text/csv",
                        "Content-Length": str(size),
                    },
                )
                response = conn.getresponse()
                body = response.read()
            elapsed = time.perf_counter() - started
            peak = server.peak_rss_mb()
            master = server.master_rss_mb()
        if response.status != 201:
            raise SystemExit(f"upload failed: {response.status} {body[:500]!r}")
        # A large import is answered once its records are stored in blocks (tasks.staging); its task rows
        # are written right after, by the Celery task the commit queued. The same call, timed here.
        campaign.refresh_from_db()
        staged = campaign.tasks_staged
        started = time.perf_counter()
        tasks_write_staged(campaign_id=campaign.pk)
        write_after = time.perf_counter() - started
        # After our run, into another campaign: the rolled-back rows leave dead index entries behind that
        # would slow down whatever is written next under the same keys.
        other = CampaignFactory(project=project, state=CampaignState.UNPUBLISHED, results_per_task=3)
        floor = raw_copy_into_tasks_seconds(url, path, other.pk)
        json_floor = raw_copy_into_json_table_seconds(url, path)

    from tasks.models import Task

    written = Task.objects.filter(campaign=campaign).count()
    assert written == args.rows, (written, args.rows)
    print(
        f"ours: POST text/csv through gunicorn: {elapsed:.2f} s ({args.rows / elapsed:,.0f} rows/s), "
        f"server worker peak RSS {peak} MB (idle {before} MB; master {master} MB)"
    )
    print(
        f"then: {staged} staged records written as task rows in {write_after:.2f} s "
        f"(the Celery task's work; every task readable {elapsed + write_after:.2f} s after the upload began)"
    )
    print(f"reference: raw COPY of the same rows, encoded, into the indexed task table: {floor:.2f} s")
    print(
        f"reference: raw COPY of the same rows as JSON into a bare (id bigserial primary key, input jsonb) "
        f"table, median of 3: {json_floor:.2f} s ({json_floor / raw:.2f}x the baseline)"
    )
    ratio = elapsed / raw
    print(f"ratio to raw COPY: {ratio:.2f} (target <= 2), peak RSS target < 150 MB")
    harness.result(
        {
            "benchmark": "ingest",
            "rows": args.rows,
            "file_mb": round(size / 1e6, 1),
            "wall_s": round(elapsed, 3),
            "rows_per_s": round(args.rows / elapsed),
            "baseline_raw_copy_s": round(raw, 3),
            "baseline_rows_per_s": round(args.rows / raw),
            "reference_raw_copy_into_task_table_s": round(floor, 3),
            "reference_raw_copy_into_bare_jsonb_table_s": round(json_floor, 3),
            "ratio_to_baseline": round(ratio, 2),
            "staged_records": staged,
            "tasks_written_after_s": round(write_after, 3),
            "all_tasks_written_s": round(elapsed + write_after, 3),
            "server_peak_rss_mb": peak,
            "server_idle_rss_mb": before,
        }
    )


if __name__ == "__main__":
    main()
