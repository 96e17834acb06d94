"""``progress``: the campaign over time — results submitted, approved and rejected per hour or per day."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from .. import plots
from ..states import ALL_STATES

HEADER = ["period", "submitted", "approved", "rejected"]


def _bucket(when: datetime, interval: str) -> str:
    return when.strftime("%Y-%m-%dT%H:00Z" if interval == "hour" else "%Y-%m-%d")


def run(ctx) -> None:
    interval = ctx.params["interval"]
    counts = defaultdict(lambda: [0, 0, 0])
    for count, row in enumerate(ctx.source.results(states=ALL_STATES)):
        if count % 20000 == 0:
            ctx.check()
        if row.submitted_at:
            counts[_bucket(row.submitted_at, interval)][0] += 1
        if row.reviewed_at and row.state == "approved":
            counts[_bucket(row.reviewed_at, interval)][1] += 1
        if row.reviewed_at and row.state == "rejected":
            counts[_bucket(row.reviewed_at, interval)][2] += 1
    periods = sorted(counts)
    table = [[period, *counts[period]] for period in periods]
    ctx.data("progress", HEADER, table)
    ctx.artefact_table("progress.csv", HEADER, table, description=f"Results per {interval}")
    plots.lines(
        ctx.artefact("progress.png", format="staticgraph", description=f"Results per {interval}"),
        periods,
        {name: [counts[p][i] for p in periods] for i, name in enumerate(HEADER[1:])},
        title=f"Results per {interval}",
        ylabel="results",
    )
    ctx.log(f"[ periods ] {len(periods)}")
