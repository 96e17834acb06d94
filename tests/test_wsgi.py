"""The web process's entry point (gunicorn's ``crowdplatform.wsgi:application``)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_web_process_loads_its_views_up_front_and_keeps_them_out_of_full_garbage_collections():
    # given a fresh interpreter, as a gunicorn worker is
    # when it imports the WSGI application
    probe = (
        "import gc, sys; import crowdplatform.wsgi; "
        "print(gc.get_freeze_count(), 'worker.views' in sys.modules, 'results.api.views' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "crowdplatform.settings.test"}
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    # then every route's view is loaded, and what was loaded is frozen out of the collector's passes
    frozen, worker_views, api_views = int(out[0]), out[1], out[2]
    assert frozen > 10_000
    assert (worker_views, api_views) == ("True", "True")
