"""Settings for a Celery worker process that a report test starts and then kills (see test_worker.py)."""

import os

from crowdplatform.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["CROWD_TEST_REDIS_URL"]
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_DEFAULT_QUEUE = os.environ["CROWD_TEST_QUEUE"]
CROWD_REPORT_EXTRA_KINDS = ["tests.reports.slow_kind.SLOW"]
CROWD_REPORT_HEARTBEAT = 0.2
