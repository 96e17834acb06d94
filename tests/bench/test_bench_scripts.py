"""The benchmark scripts run end to end at a small size and end with the figures they promise (PostgreSQL).

Each runs as its own process against a database of the test's own, since a benchmark wipes its database.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg2
import pytest
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.postgres


@pytest.fixture
def bench_database(request):
    """The URL of a database made for this test (the script creates it), dropped afterwards."""
    base = urlparse(os.environ["DATABASE_URL"])
    name = f"{base.path.lstrip('/')}_bench_{request.node.name.removeprefix('test_')[:20]}"
    yield base._replace(path=f"/{name}").geturl()
    admin = psycopg2.connect(base._replace(path="/postgres").geturl())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


def run_bench(url: str, script: str, *args: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, f"bench/{script}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("RESULT "), done.stdout[-3000:]
    return json.loads(last.removeprefix("RESULT "))


def test_ingest(bench_database):
    # when the ingest benchmark runs on a small file
    result = run_bench(bench_database, "ingest.py", "--rows", "3000")
    # then it reports our time against the raw COPY, the references and the server's memory
    assert result["rows"] == 3000
    assert result["wall_s"] > 0 and result["baseline_raw_copy_s"] > 0
    assert result["ratio_to_baseline"] > 0
    assert result["reference_raw_copy_into_task_table_s"] > 0
    assert result["reference_raw_copy_into_bare_jsonb_table_s"] > 0
    assert result["server_peak_rss_mb"] >= result["server_idle_rss_mb"] > 0


@pytest.mark.parametrize("surface", ["native", "turkle"])
def test_export(bench_database, surface):
    # when the export benchmark runs on a few results, on either surface
    result = run_bench(bench_database, "export.py", "--rows", "3000", "--surface", surface)
    # then it reports our time against the raw COPY TO and the server's memory
    assert (result["rows"], result["surface"]) == (3000, surface)
    assert result["body_mb"] > 0 and result["baseline_raw_copy_to_s"] > 0
    assert result["ratio_to_baseline"] > 0
    assert result["server_peak_rss_mb"] >= result["server_idle_rss_mb"] > 0


def test_claim(bench_database):
    # when the claim benchmark runs briefly on two campaign sizes
    result = run_bench(
        bench_database, "claim.py", "--tasks", "200,2000", "--workers", "2,4", "--seconds", "1.5"
    )
    # then every run completed work on both sides, without over-assignment or a task given twice
    assert len(result["runs"]) == 4
    for run in result["runs"]:
        assert run["ours"]["completed"] > 0 and run["baseline_raw_sql"]["completed"] > 0, run
        assert (run["over_assigned_tasks"], run["double_assignments"]) == (0, 0), run
        assert (run["raw_over_assigned_tasks"], run["raw_double_assignments"]) == (0, 0), run
        assert "errors" not in run["ours"], run
    # and it reports the ratio per run and how the rate changes with the campaign's size
    assert set(result["ratio_to_baseline"]) == {"200x2", "200x4", "2000x2", "2000x4"}
    assert set(result["slowdown_small_to_large"]) == {"2", "4"}


def test_lead(bench_database):
    # when the lead benchmark runs on a small campaign at two leads
    result = run_bench(bench_database, "lead.py", "--tasks", "1000", "--leads", "0,500", "--pairs", "20")
    # then both sides did the asked pairs at each lead, without over-assignment or a task given twice
    assert [run["lead"] for run in result["runs"]] == [0, 500]
    for run in result["runs"]:
        assert (run["ours_pairs"], run["raw_pairs"]) == (20, 20), run
        assert run["ours_ms_per_pair"] > 0 and run["raw_ms_per_pair"] > 0, run
    assert (result["over_assigned_tasks"], result["double_assignments"]) == (0, 0)
    # and it reports how our cost grew with the lead and the ratio to the raw loop
    assert result["growth"] > 0 and result["ratio_to_baseline"] > 0
