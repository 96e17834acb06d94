"""Answers, read row by row, coded into the integer arrays that ``reports.aggregation`` works on.

One ``FieldAnswers`` per answer field. A value is coded as a label:
- a component result (Swarms: ``{"selectedOption": …}``, ``{"rating": …}``, …) by the value it carries;
- a multi-valued answer (a list) as the set of its values, written as a sorted JSON list;
- text, numbers and booleans as their text. An empty answer is no answer.
A field with more distinct labels than ``max_labels`` (or named free text) is free text: it is passed through,
never voted on.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import orjson

from .aggregation import Answers

COMPONENT_KEYS = ("selectedOption", "rating", "result", "text", "checked", "value")


def label_of(value) -> str | None:
    if isinstance(value, dict):
        for key in COMPONENT_KEYS:
            if key in value:
                return label_of(value[key])
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return orjson.dumps(sorted({label_of(v) or "" for v in value})).decode()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class FieldAnswers:
    name: str
    tasks: array = field(default_factory=lambda: array("q"))
    workers: array = field(default_factory=lambda: array("q"))
    raw_labels: array = field(default_factory=lambda: array("q"))  # codes in order of first appearance
    label_codes: dict = field(default_factory=dict)
    free_text: bool = False

    def add(self, task: int, worker: int, label: str) -> None:
        code = self.label_codes.get(label)
        if code is None:
            code = self.label_codes[label] = len(self.label_codes)
        self.tasks.append(task)
        self.workers.append(worker)
        self.raw_labels.append(code)

    def sorted_labels(self) -> tuple[list[str], np.ndarray]:
        """Labels in sorted order and the codes of the answers in that order."""
        labels = sorted(self.label_codes, key=lambda text: text)
        remap = np.empty(len(labels), dtype=np.int64)
        for new, text in enumerate(labels):
            remap[self.label_codes[text]] = new
        return labels, remap[np.frombuffer(self.raw_labels, dtype=np.int64)] if len(
            self.raw_labels
        ) else np.zeros(0, dtype=np.int64)


@dataclass
class Encoded:
    task_ids: list[int]
    worker_ids: list[int]
    fields: dict[str, FieldAnswers]

    def answers(self, name: str) -> tuple[Answers, list[str]]:
        found = self.fields[name]
        labels, codes = found.sorted_labels()
        coded = Answers.of(
            np.frombuffer(found.tasks, dtype=np.int64) if len(found.tasks) else [],
            np.frombuffer(found.workers, dtype=np.int64) if len(found.workers) else [],
            codes,
            len(self.task_ids),
            len(self.worker_ids),
            len(labels),
        )
        return coded, labels


def encode(
    triples: Iterable[tuple[int, int, object]],
    *,
    fields: list[str] | None = None,
    free_text: Iterable[str] = (),
    max_labels: int = 50,
    task_ids: Iterable[int] = (),
    check=lambda: None,
) -> Encoded:
    """Code (task id, worker id, answers) rows. ``task_ids`` lists tasks to keep even without answers.
    ``check`` is called every few thousand rows (the run's kill and timeout check)."""
    task_index: dict[int, int] = {}
    for pk in task_ids:
        task_index.setdefault(pk, len(task_index))
    worker_index: dict[int, int] = {}
    by_field: dict[str, FieldAnswers] = {name: FieldAnswers(name) for name in fields or ()}
    wanted = set(fields) if fields else None
    for count, (task_id, worker_id, answers) in enumerate(triples):
        if count % 20000 == 0:
            check()
        if not isinstance(answers, dict):
            answers = orjson.loads(answers)
        t = task_index.get(task_id)
        if t is None:
            t = task_index[task_id] = len(task_index)
        w = worker_index.get(worker_id)
        if w is None:
            w = worker_index[worker_id] = len(worker_index)
        for name, value in answers.items():
            if wanted is not None and name not in wanted:
                continue
            label = label_of(value)
            if label is None:
                continue
            target = by_field.get(name)
            if target is None:
                target = by_field[name] = FieldAnswers(name)
            target.add(t, w, label)
    free = set(free_text)
    for name, found in by_field.items():
        found.free_text = name in free or len(found.label_codes) > max_labels
    return Encoded(task_ids=list(task_index), worker_ids=list(worker_index), fields=by_field)
