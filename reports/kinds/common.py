"""What several kinds compute alike: coding and aggregating every answer field once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..aggregation import METHODS, Aggregate, Answers
from ..encoding import Encoded, encode_columns


@dataclass
class FieldResult:
    name: str
    answers: Answers
    labels: list[str]
    aggregate: Aggregate | None  # None for free text


def encoded_answers(ctx, *, with_all_tasks: bool = True) -> Encoded:
    p = ctx.params
    task_ids = ctx.source.task_ids() if with_all_tasks else []
    ctx.log(f"[ tasks ] {len(task_ids)}")
    columns = ctx.source.answer_columns(fields=p["fields"], states=tuple(p["states"]), check=ctx.check)
    encoded = encode_columns(columns, task_ids=task_ids, free_text=p["free_text"], max_labels=p["max_labels"])
    answers = sum(len(f.answers.tasks) for f in encoded.fields.values())
    ctx.log(f"[ answers ] {answers} in {len(encoded.fields)} field(s) by {len(encoded.worker_ids)} worker(s)")
    return encoded


def aggregated(ctx, encoded: Encoded, method: str) -> list[FieldResult]:
    found = []
    for name in sorted(encoded.fields):
        ctx.check()
        answers, labels = encoded.answers(name)
        if encoded.fields[name].free_text:
            ctx.log(f"[ field ] {name}: free text ({len(labels)} distinct answers), passed through")
            found.append(FieldResult(name, answers, labels, None))
            continue
        result = METHODS[method](answers)
        ctx.log(f"[ field ] {name}: {len(labels)} labels, {method}")
        found.append(FieldResult(name, answers, labels, result))
    return found


def per_task_answers(answers: Answers) -> tuple[np.ndarray, np.ndarray]:
    """Answers sorted by task, and the offsets of each task's run (for passing free text through)."""
    order = np.argsort(answers.tasks, kind="stable")
    starts = np.searchsorted(answers.tasks[order], np.arange(answers.n_tasks + 1))
    return order, starts
