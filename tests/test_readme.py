"""The README: its curl walkthrough works exactly as printed against a live server with the demo data, on
whatever port the server is on, and fails loudly when a call is refused; its links lead somewhere; and the
reference it links to builds as a site with no broken link."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

needs_curl = pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")


def _walkthrough() -> str:
    section = README.read_text().split("## Walkthrough with curl", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def _exports(printed: str) -> dict[str, str]:
    """The variables of the `export …` line, as a shell would set them when it is pasted."""
    line = next(x for x in printed.splitlines() if "export " in x)
    return dict(pair.split("=", 1) for pair in line.split("export ", 1)[1].split())


def _demo_exports(base_url: str) -> dict[str, str]:
    out = StringIO()
    call_command("seed_demo", base_url=base_url, summary_file="", stdout=out)
    return _exports(out.getvalue())


def _run_walkthrough(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    # -e and pipefail: the first call that fails stops the block, as a reader would stop at the first error.
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", _walkthrough()],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _assert_walkthrough_answers(stdout: str) -> None:
    answers = [json.loads(doc) for doc in _json_documents(stdout)]
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


@needs_curl
@pytest.mark.django_db(transaction=True)
def test_the_readme_walkthrough_runs_as_printed_on_the_port_of_the_export_line(live_server, tmp_path):
    # given the demo data's export line as printed for a server on a port that is not 8000
    assert not live_server.url.endswith(":8000")
    env = _demo_exports(live_server.url)
    assert env["BASE_URL"] == live_server.url
    # when the block runs in bash as it is printed, nothing replaced
    run = _run_walkthrough(env, tmp_path)
    # then every step answered, the worker's answer reached the requester, and the last call is the 409
    assert run.returncode == 0, run.stderr
    _assert_walkthrough_answers(run.stdout)


@needs_curl
@pytest.mark.django_db(transaction=True)
def test_the_walkthrough_stops_loudly_at_a_refused_call(live_server, tmp_path):
    # given the export line with a requester token that the server does not know
    env = {**_demo_exports(live_server.url), "REQUESTER_TOKEN": "not-a-token"}
    # when the block runs
    run = _run_walkthrough(env, tmp_path)
    # then it stops at the first call, with curl's error and the server's answer on the screen
    assert run.returncode != 0
    assert "The requested URL returned error: 401" in run.stderr
    assert "token" in run.stdout.lower()
    assert "Sentiment" not in run.stdout


@needs_curl
def test_the_walkthrough_says_what_is_missing_without_the_export_line(tmp_path):
    run = _run_walkthrough({}, tmp_path)

    assert run.returncode != 0
    assert "first paste the export line that make run printed" in run.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _local_env(var: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_DEBUG"}
    }
    return env | {"DJANGO_SETTINGS_MODULE": "crowdplatform.settings.local", "CROWD_VAR_DIR": str(var)}


@pytest.fixture(scope="module")
def migrated_var(tmp_path_factory) -> Path:
    var = tmp_path_factory.mktemp("quickstart-var")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=_local_env(var),
        check=True,
        capture_output=True,
    )
    return var


@pytest.fixture
def quickstart_env(migrated_var, tmp_path) -> dict[str, str]:
    """`make run`'s steps before the server, in a folder of the test's own: the local settings on SQLite,
    the file-system broker, a migrated database (a copy: migrating takes a while) with the demo data."""
    var = tmp_path / "var"
    var.mkdir()
    shutil.copy(migrated_var / "db.sqlite3", var / "db.sqlite3")
    env = _local_env(var) | {"PY": sys.executable}
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return env


@needs_curl
@pytest.mark.parametrize("port", [8000, None], ids=["port 8000", "another port"])
def test_the_quick_start_prints_an_export_line_the_walkthrough_runs_with(quickstart_env, port, tmp_path):
    # given the quick start's server started on 8000 (when it is free here) or on another port
    if port is None:
        port = _free_port()
    elif not _port_is_free(port):
        pytest.skip(f"port {port} is taken on this machine")
    server = subprocess.Popen(
        ["bin/run-quickstart"],
        cwd=ROOT,
        env={**quickstart_env, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        printed = []
        for line in server.stdout:
            printed.append(line)
            if line.startswith("Press Ctrl-C to stop."):
                break
        # when the export line it printed is pasted and the walkthrough runs
        env = _exports("".join(printed))
        run = _run_walkthrough(env, tmp_path)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    # then the line named this server's port, and every step worked
    assert env["BASE_URL"] == f"http://127.0.0.1:{port}"
    assert run.returncode == 0, run.stderr
    _assert_walkthrough_answers(run.stdout)


def _github_slug(heading: str, seen: int) -> str:
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
    return slug if seen == 0 else f"{slug}-{seen}"


def _mkdocs_slug(heading: str, seen: int) -> str:
    from markdown.extensions.toc import slugify

    slug = slugify(heading, "-")
    return slug if seen == 0 else f"{slug}_{seen}"


def _bad_links(path: Path, slug) -> list[str]:
    """Links of a Markdown file to a missing file, to a missing heading of its own, or to the very section
    they stand in."""
    prose = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    headings, seen = [], {}
    for match in re.finditer(r"^#+ (.+)$", prose, re.M):
        text = re.sub(r"[`*]", "", match.group(1))
        headings.append((match.start(), slug(text, seen.get(text, 0))))
        seen[text] = seen.get(text, 0) + 1
    bad = []
    for match in re.finditer(r"\]\(([^)\s]+)\)", prose):
        target = match.group(1)
        if target.startswith(("http://", "https://")):
            continue
        file, _, anchor = target.partition("#")
        if file:
            if not (path.parent / file).is_file():
                bad.append(f"{target}: no such file")
            continue
        own = [s for start, s in headings if start < match.start()][-1:]
        if anchor not in {s for _, s in headings}:
            bad.append(f"{target}: no such heading")
        elif own == [anchor]:
            bad.append(f"{target}: points at its own section")
    return bad


def test_every_link_of_the_readme_leads_somewhere_else():
    assert _bad_links(README, _github_slug) == []


def test_no_page_of_the_reference_links_to_its_own_section():
    # (the strict site build checks that every link and anchor exists; not that it leads somewhere else)
    bad = {page.name: _bad_links(page, _mkdocs_slug) for page in (ROOT / "docs").glob("*.md")}

    assert {name: links for name, links in bad.items() if links} == {}


def test_the_readme_keeps_to_what_a_user_needs_first():
    text = README.read_text()
    sections = re.findall(r"^## (.+)$", text, re.M)

    assert sections[:2] == ["Quick start", "Walkthrough with curl"]
    assert {"Tests", "Configuration", "Documentation"} <= set(sections)
    assert "make run" in text.split("## ", 1)[0] and "make test" in text.split("## ", 1)[0]
    assert len(text.splitlines()) <= 200


def test_the_reference_builds_as_a_site_with_no_broken_link(tmp_path):
    # when the docs site is built strictly (every warning, such as a broken link or anchor, fails it)
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    # then it builds, and every page of docs/ is in it
    assert run.returncode == 0, run.stderr
    for page in (ROOT / "docs").glob("*.md"):
        name = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
        assert (tmp_path / "site" / name).is_file(), page.name


def _json_documents(text: str):
    decoder, i = json.JSONDecoder(), 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        doc, end = decoder.raw_decode(text, i)
        yield json.dumps(doc)
        i = end
