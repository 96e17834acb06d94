"""``aggregate``: one answer per task and field, with a confidence — majority vote, Dawid–Skene or GLAD."""

from __future__ import annotations

import csv
import json

import numpy as np

from . import register
from .base import ReportKind
from .common import ANSWER_PARAMS, METHOD_PARAM, aggregated, encoded_answers, per_task_answers

HEADER = ["task_id", "campaign_id", "position", "field", "answer", "confidence", "answers", "method"]


def rows(encoded, fields, method, positions):
    for found in fields:
        counts = np.bincount(found.answers.tasks, minlength=found.answers.n_tasks).tolist()
        if found.aggregate is None:
            order, starts = per_task_answers(found.answers)
            codes = found.answers.labels[order]
        else:
            chosen = found.aggregate.labels.tolist()
            confidence = np.round(found.aggregate.confidence, 6).tolist()
        for index, task_id in enumerate(encoded.task_ids):
            campaign_id, position = positions.get(task_id, ("", ""))
            if found.aggregate is None:
                given = [found.labels[c] for c in codes[starts[index] : starts[index + 1]]]
                yield [task_id, campaign_id, position, found.name, given, "", counts[index], "passthrough"]
                continue
            code = chosen[index]
            answer, sure = (found.labels[code], confidence[index]) if code >= 0 else ("", "")
            yield [task_id, campaign_id, position, found.name, answer, sure, counts[index], method]


def run(ctx) -> None:
    method = ctx.params["method"]
    encoded = encoded_answers(ctx)
    fields = aggregated(ctx, encoded, method)
    positions = ctx.source.task_positions()
    data = ctx.data_path("aggregate")
    jsonl = ctx.artefact("aggregate.jsonl", format="data", description="The same, as JSON Lines")
    count = 0
    with data.open("w", newline="", encoding="utf-8") as table, jsonl.open("w", encoding="utf-8") as lines:
        writer = csv.writer(table)
        writer.writerow(HEADER)
        for row in rows(encoded, fields, method, positions):
            writer.writerow(row)
            lines.write(json.dumps(dict(zip(HEADER, row, strict=True)), ensure_ascii=False) + "\n")
            count += 1
            if count % 50000 == 0:
                ctx.check()
    ctx.add_data("aggregate", data)
    ctx.artefact_copy("aggregate.csv", data, format="data", description=f"One answer per task and field ({method})")
    ctx.log(f"[ data ] aggregate: {count} rows")


register(
    ReportKind(
        name="aggregate",
        description="One answer per task and field with a confidence: majority vote, Dawid–Skene or GLAD.",
        run=run,
        params=(METHOD_PARAM, *ANSWER_PARAMS),
    )
)
