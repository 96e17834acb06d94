"""``bench/claim.py --kind jobs`` runs a campaign of 3-screen jobs beside the template tasks (PostgreSQL)."""

import pytest

from tests.bench.test_bench_scripts import bench_database, run_bench  # noqa: F401  (the fixture)

pytestmark = pytest.mark.postgres


def test_claim_jobs(bench_database):  # noqa: F811
    # when the claim benchmark runs briefly with a campaign of jobs
    result = run_bench(
        bench_database, "claim.py", "--kind", "jobs", "--tasks", "300", "--workers", "2", "--seconds", "1.5"
    )
    # then the jobs side completed work, every submit was accepted, nothing was over-assigned
    [run] = result["runs"]
    jobs = run["jobs_of_3_screens"]
    assert result["kind"] == "jobs"
    assert jobs["completed"] > 0 and "errors" not in jobs, jobs
    assert (run["jobs_over_assigned"], run["jobs_double_assignments"]) == (0, 0)
    # and the rate is compared with the template tasks' of the same run
    assert run["jobs_to_templates"] == round(jobs["completed_per_s"] / run["ours"]["completed_per_s"], 2)
