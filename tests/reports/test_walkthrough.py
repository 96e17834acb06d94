"""The reports walkthrough of docs/reports.md runs as printed against a live server with the demo data."""

import json
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reports.md"

pytestmark = [
    pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq"),
    pytest.mark.django_db(transaction=True),
]


def _walkthrough() -> str:
    section = PAGE.read_text().split("## Walkthrough", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def _exports(printed: str) -> dict[str, str]:
    line = next(x for x in printed.splitlines() if "export " in x)
    return dict(pair.split("=", 1) for pair in line.split("export ", 1)[1].split())


def test_the_reports_walkthrough_runs_as_printed(live_server, tmp_path):
    # given the demo data and the export line seed_demo prints
    out = StringIO()
    call_command("seed_demo", base_url=live_server.url, summary_file="", stdout=out)
    env = _exports(out.getvalue())

    # when the walkthrough runs, stopping at the first failing call
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", _walkthrough()],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=180,
    )

    # then every step answered as the page says
    assert done.returncode == 0, done.stderr + done.stdout
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith(("{", "[", "true"))]
    reports = {item["name"]: item for item in lines if isinstance(item, dict) and "latest_version" in item}
    assert set(reports) == {"street-scenes-answers", "street-scenes-workers"}
    assert all(item["latest_version"] for item in reports.values())
    status = next(item for item in lines if isinstance(item, dict) and "status" in item)
    assert status["status"] == "success" and status["output"] == f"id:{status['version']}"
    details = next(item for item in lines if isinstance(item, dict) and "parameter_values" in item)
    assert details["parameter_values"]["method"] == "majority_vote" and not details["published"]
    assert (tmp_path / "aggregate.csv").read_text().startswith("task_id,campaign_id,position,field,answer")
    assert True in lines
    changelog = [item for item in lines if isinstance(item, dict) and "label" in item]
    assert changelog[0]["value"] == "Majority vote for comparison"
