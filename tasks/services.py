"""Writes on tasks that are not ingest (``tasks.ingest``): locking. Claiming a task and the open/full
bookkeeping belong to the assignment's lifecycle (``results.claim``, ``results.slots``)."""

from .models import Task


def task_qs_for_update():
    return Task.objects.select_for_update()
