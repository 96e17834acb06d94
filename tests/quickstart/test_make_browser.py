"""`make test` first runs `make browser`, which may install Debian's Chromium as root: it must say what it
does and why, and install nothing when told not to or when it is not root."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
MAKE = shutil.which("make")

pytestmark = pytest.mark.skipif(MAKE is None, reason="needs make")


def _make_browser(tmp_path, *, uid: int, args: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """Run `make browser` where there is no chromium, with `id` and `apt-get` standing in for the real
    ones (apt-get only notes how it was called); what it printed, and the apt-get calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-get.calls"
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    run = subprocess.run(
        [MAKE, "--no-print-directory", "-s", "browser", *args],
        cwd=ROOT,
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout, calls.read_text().splitlines() if calls.exists() else []


def test_as_root_it_says_why_and_what_before_installing_chromium(tmp_path):
    printed, apt_calls = _make_browser(tmp_path, uid=0)

    assert "The browser tests (tests/e2e) drive Debian's Chromium" in printed
    assert "Running as root, so installing it now: apt-get update; apt-get install -y chromium" in printed
    assert "make test INSTALL_BROWSER=no" in printed
    assert apt_calls == ["update -qq", "install -y -qq chromium"]


def test_told_not_to_it_installs_nothing(tmp_path):
    printed, apt_calls = _make_browser(tmp_path, uid=0, args=("INSTALL_BROWSER=no",))

    assert "not installing it; the browser tests will be skipped" in printed
    assert apt_calls == []


def test_not_root_it_says_how_to_install_it_and_installs_nothing(tmp_path):
    printed, apt_calls = _make_browser(tmp_path, uid=1000)

    assert "install Debian's chromium package (sudo apt-get install chromium)" in printed
    assert apt_calls == []
