"""The web process declares the report kinds but does not load the numeric code that runs them."""

import os
import subprocess
import sys
from pathlib import Path

from reports.aggregation import METHODS
from reports.kinds import KINDS
from reports.kinds.base import METHOD_NAMES

ROOT = Path(__file__).resolve().parents[2]


def test_every_method_a_kind_offers_has_its_function():
    assert tuple(METHODS) == METHOD_NAMES


def test_every_kind_names_a_run_function_that_imports():
    # given the registry as the web process has it; when each kind's computation is imported; then it is there
    for kind in KINDS.values():
        if isinstance(kind.run, str):
            module, _, name = kind.run.rpartition(".")
            assert callable(getattr(__import__(module, fromlist=[name]), name)), kind.name


def test_loading_every_url_and_app_loads_no_numpy_pandas_or_matplotlib():
    # given a fresh interpreter with the project's settings; when Django starts and every URL module loads
    script = (
        "import sys, django; django.setup(); import crowdplatform.urls; "
        "print(','.join(m for m in ('numpy', 'pandas', 'matplotlib', 'pyreadr') if m in sys.modules))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "crowdplatform.settings.test"),
    }
    found = (
        subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()[-1:]
    )
    # then none of the numeric libraries is in memory (a report run loads them in the Celery worker)
    assert found in ([], [""])
