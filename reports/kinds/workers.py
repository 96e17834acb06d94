"""``workers``: per worker — results, approval rate, time per result, agreement with the aggregate, accuracy on
tasks with a known ("gold") answer — and three plots."""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from .. import plots
from ..encoding import label_of
from ..states import ALL_STATES
from .agreement import worker_agreement
from .common import aggregated, encoded_answers

HEADER = [
    "worker_id",
    "worker",
    "results",
    "approved",
    "rejected",
    "approval_rate",
    "median_seconds_per_result",
    "agreement_with_aggregate",
    "gold_answers",
    "gold_accuracy",
]


def _rate(part, whole):
    return round(part / whole, 6) if whole else ""


def run(ctx) -> None:
    p = ctx.params
    gold_field, answer_field = p["gold_field"], p["answer_field"] or p["gold_field"]
    gold = {}
    if gold_field:
        for task in ctx.source.tasks():
            if task.input.get(gold_field) not in (None, ""):
                gold[task.task_id] = label_of(task.input[gold_field])
        ctx.log(f"[ gold ] {len(gold)} task(s) with a known {gold_field!r}")
    stats = defaultdict(
        lambda: {"results": 0, "approved": 0, "rejected": 0, "seconds": [], "gold": 0, "right": 0}
    )
    per_day = defaultdict(int)
    counted = {"submitted", "approved", "rejected", "soft_rejected"}
    for count, row in enumerate(ctx.source.results(states=ALL_STATES)):
        if count % 20000 == 0:
            ctx.check()
        if row.state not in counted:
            continue
        s = stats[row.worker_id]
        s["results"] += 1
        s["approved"] += row.state == "approved"
        s["rejected"] += row.state == "rejected"
        if row.submitted_at and row.accepted_at:
            s["seconds"].append((row.submitted_at - row.accepted_at).total_seconds())
            per_day[row.submitted_at.date()] += 1
        if row.task_id in gold and answer_field in row.answers:
            s["gold"] += 1
            s["right"] += label_of(row.answers[answer_field]) == gold[row.task_id]
    encoded = encoded_answers(ctx, with_all_tasks=False)
    agreement = defaultdict(list)
    for found in aggregated(ctx, encoded, p["method"]):
        if found.aggregate is None:
            continue
        counts, share = worker_agreement(found)
        for index, worker_id in enumerate(encoded.worker_ids):
            if counts[index]:
                agreement[worker_id].append((int(counts[index]), float(share[index])))
    names = ctx.source.worker_names()
    table = []
    for worker_id in sorted(stats):
        s = stats[worker_id]
        pairs = agreement.get(worker_id, [])
        weight = sum(n for n, _ in pairs)
        table.append(
            [
                worker_id,
                names.get(worker_id, ""),
                s["results"],
                s["approved"],
                s["rejected"],
                _rate(s["approved"], s["approved"] + s["rejected"]),
                round(median(s["seconds"]), 3) if s["seconds"] else "",
                round(sum(n * v for n, v in pairs) / weight, 6) if weight else "",
                s["gold"],
                _rate(s["right"], s["gold"]),
            ]
        )
    ctx.data("workers", HEADER, table)
    ctx.artefact_table("workers.csv", HEADER, table, description="Statistics per worker")
    seconds = [x for s in stats.values() for x in s["seconds"]]
    plots.histogram(
        ctx.artefact("time_per_result.png", format="staticgraph", description="Time per result"),
        seconds,
        title="Time per result",
        xlabel="seconds",
    )
    quality = [(row[2], row[9] if gold else row[7]) for row in table if (row[9] if gold else row[7]) != ""]
    plots.scatter(
        ctx.artefact("accuracy_vs_volume.png", format="staticgraph", description="Accuracy against volume"),
        [q[0] for q in quality],
        [q[1] for q in quality],
        title="Gold accuracy against volume" if gold else "Agreement with the aggregate against volume",
        xlabel="results",
        ylabel="accuracy" if gold else "agreement",
    )
    days = sorted(per_day)
    plots.lines(
        ctx.artefact("results_over_time.png", format="staticgraph", description="Results per day"),
        days,
        {"results": [per_day[d] for d in days]},
        title="Results submitted per day",
        ylabel="results",
    )
    ctx.log(f"[ workers ] {len(table)}")
