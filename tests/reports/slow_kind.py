"""A report kind that only waits, checking in as it goes: something to kill in the middle."""

import time

from reports.kinds.base import Param, ReportKind


def _run(ctx):
    ctx.log("[ waiting ]")
    for _ in range(int(ctx.params["seconds"] * 10)):
        ctx.check()
        time.sleep(0.1)


SLOW = ReportKind("slow", "Waits, checking in.", _run, (Param("seconds", "number", 60),))
