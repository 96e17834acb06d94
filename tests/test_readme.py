"""The README's curl walkthrough works exactly as printed, against a live server with the demo data."""

import json
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

README = Path(__file__).resolve().parent.parent / "README.md"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq"),
]


def _walkthrough() -> str:
    section = README.read_text().split("### Walkthrough with curl", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def _demo_exports() -> dict[str, str]:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    line = next(x for x in out.getvalue().splitlines() if "export " in x)
    return dict(pair.split("=", 1) for pair in line.split("export ", 1)[1].split())


def test_the_readme_walkthrough_runs_as_printed(live_server, tmp_path):
    # given the demo data's tokens exported as `make run` prints them, and the walkthrough pointed at the server
    env = {"PATH": "/usr/bin:/bin", **_demo_exports()}
    script = _walkthrough().replace("http://127.0.0.1:8000", live_server.url, 1)
    # when the block runs in bash as it is printed
    run = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    # then every step answered, the worker's answer reached the requester, and the last call is the 409
    assert run.returncode == 0, run.stderr
    answers = [json.loads(doc) for doc in _json_documents(run.stdout)]
    login, created_json, created_csv, published, *offered, submitted, result, again = answers
    offered = {campaign["name"]: campaign["available_tasks"] for campaign in offered}
    assert (login["token_type"], created_json["data"]["created"], created_csv["data"]["created"]) == (
        "bearer",
        2,
        2,
    )
    assert published["state"] == "active"
    assert offered == {"Batch 1": 4, "Pictures, first batch": 7, "Street scenes, component demo": 1}
    assert (submitted["state"], submitted["answers"]) == ("submitted", {"label": "positive"})
    assert (result["worker"], result["input"], result["answers"]) == (
        "worker1",
        {"text": "I love it"},
        {"label": "positive"},
    )
    assert (again["status"], again["errors"][0]["code"]) == ("failure", "illegal-transition")


def _json_documents(text: str):
    decoder, i = json.JSONDecoder(), 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        doc, end = decoder.raw_decode(text, i)
        yield json.dumps(doc)
        i = end
