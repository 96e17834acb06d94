"""``aggregate``: one answer per task and field, with a confidence — majority vote, Dawid–Skene or GLAD."""

from __future__ import annotations

import numpy as np

from . import register
from .base import ReportKind
from .common import ANSWER_PARAMS, METHOD_PARAM, aggregated, encoded_answers, per_task_answers

HEADER = ["task_id", "campaign_id", "position", "field", "answer", "confidence", "answers", "method"]


def rows(ctx, encoded, fields, method):
    positions = {t.task_id: (t.campaign_id, t.position) for t in ctx.source.tasks()}
    for found in fields:
        counts = np.bincount(found.answers.tasks, minlength=found.answers.n_tasks)
        if found.aggregate is None:
            order, starts = per_task_answers(found.answers)
            codes = found.answers.labels[order]
        for index, task_id in enumerate(encoded.task_ids):
            campaign_id, position = positions.get(task_id, ("", ""))
            if found.aggregate is None:
                given = [found.labels[c] for c in codes[starts[index] : starts[index + 1]]]
                yield [
                    task_id,
                    campaign_id,
                    position,
                    found.name,
                    given,
                    "",
                    int(counts[index]),
                    "passthrough",
                ]
                continue
            code = int(found.aggregate.labels[index])
            answer = found.labels[code] if code >= 0 else ""
            confidence = round(float(found.aggregate.confidence[index]), 6) if code >= 0 else ""
            yield [task_id, campaign_id, position, found.name, answer, confidence, int(counts[index]), method]


def run(ctx) -> None:
    method = ctx.params["method"]
    encoded = encoded_answers(ctx)
    fields = aggregated(ctx, encoded, method)
    path = ctx.data("aggregate", HEADER, rows(ctx, encoded, fields, method))
    ctx.log(f"[ data ] aggregate: {path.stat().st_size} bytes")
    artefact = ctx.artefact(
        "aggregate.csv", format="data", description=f"One answer per task and field ({method})"
    )
    artefact.write_bytes(path.read_bytes())
    ctx.artefact_json_lines(
        "aggregate.jsonl",
        (dict(zip(HEADER, row, strict=True)) for row in rows(ctx, encoded, fields, method)),
        description="The same, as JSON Lines",
    )


register(
    ReportKind(
        name="aggregate",
        description="One answer per task and field with a confidence: majority vote, Dawid–Skene or GLAD.",
        run=run,
        params=(METHOD_PARAM, *ANSWER_PARAMS),
    )
)
