"""Celery: run a queued report; sweep the queue for runs that timed out or lost their worker."""

from celery import shared_task
from celery.signals import worker_init


@worker_init.connect
def _load_report_code(**kwargs):
    """A worker loads the report code (numpy, pandas, matplotlib) once when it starts, not in the first run."""
    from . import (
        plots,  # noqa: F401
        runner,  # noqa: F401
    )


@shared_task(acks_late=True)
def run_report(run_id: int) -> str | None:
    from .runner import report_run_execute

    return report_run_execute(run_id)


@shared_task
def sweep_report_runs() -> dict:
    from .services import report_runs_sweep

    return report_runs_sweep()
