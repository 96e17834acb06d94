"""Answers coded into the integer arrays that ``reports.aggregation`` works on.

A source hands over, per answer field, three columns: task ids, worker ids and the answers as text (what
PostgreSQL's ``answers->>'field'`` gives). A text is then read as a label:
- a component result (Swarms: ``{"selectedOption": …}``, ``{"rating": …}``, …) by the value it carries;
- a multi-valued answer (a list) as the set of its values, written as a sorted JSON list;
- text, numbers and booleans as they are written in JSON. An empty answer is no answer.
A field with more distinct labels than ``max_labels`` (or named free text) is free text: it is passed through,
never voted on. The coding is vectorised (numpy, pandas.factorize): a million answers take about a second.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import orjson
import pandas as pd

from .aggregation import Answers

COMPONENT_KEYS = ("selectedOption", "rating", "result", "text", "checked", "value")


def label_of(value) -> str | None:
    """The label of an answer value as JSON gives it (None for no answer)."""
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
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def label_of_text(text: str | None) -> str | None:
    """The label of an answer given as ``->>`` text: objects and lists are read, the rest taken as is."""
    if not text:
        return None
    if text[0] in "{[":
        try:
            return label_of(orjson.loads(text))
        except orjson.JSONDecodeError:
            return text
    return text


@dataclass
class FieldColumns:
    tasks: np.ndarray  # task ids
    workers: np.ndarray  # worker ids
    labels: list  # label text per answer (None: no answer)


@dataclass
class FieldAnswers:
    name: str
    answers: Answers
    labels: list[str]
    free_text: bool


@dataclass
class Encoded:
    task_ids: list[int]
    worker_ids: list[int]
    fields: dict[str, FieldAnswers]

    def answers(self, name: str) -> tuple[Answers, list[str]]:
        found = self.fields[name]
        return found.answers, found.labels


def _index(ids: np.ndarray, universe: np.ndarray) -> np.ndarray:
    """Position of each id in ``universe`` (every id is in it): a dense lookup table when the ids are close
    together, as database ids are, else a sorted search."""
    if not len(universe):
        return np.zeros(0, dtype=np.int64)
    low, high = int(universe.min()), int(universe.max())
    if high - low < 8 * len(universe) + 1_000_000:
        table = np.empty(high - low + 1, dtype=np.int64)
        table[universe - low] = np.arange(len(universe))
        return table[ids - low]
    order = np.argsort(universe, kind="stable")
    return order[np.searchsorted(universe[order], ids)]


def _missing(ids: np.ndarray, known: np.ndarray) -> np.ndarray:
    """The distinct ids not in ``known``, in increasing order."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    seen = np.unique(ids) if not len(known) else ids[~np.isin(ids, known, kind="table")]
    return np.unique(seen)


def encode_columns(
    columns: dict[str, FieldColumns],
    *,
    task_ids: Iterable[int] = (),
    free_text: Iterable[str] = (),
    max_labels: int = 50,
) -> Encoded:
    """Code per-field columns. Tasks come in the order of ``task_ids`` (tasks without answers included),
    then any other answered task; workers in order of their id."""
    known = np.fromiter(task_ids, dtype=np.int64)
    answered = [c.tasks for c in columns.values()]
    extra = _missing(np.concatenate(answered) if answered else np.zeros(0, np.int64), known)
    tasks_universe = np.concatenate([known, extra])
    workers_all = [c.workers for c in columns.values()]
    workers_universe = _missing(
        np.concatenate(workers_all) if workers_all else np.zeros(0, np.int64), np.zeros(0)
    )
    free = set(free_text)
    fields = {}
    for name, column in columns.items():
        labels = np.asarray(column.labels, dtype=object)
        keep = ~pd.isna(labels)
        codes, uniques = pd.factorize(labels[keep], sort=True)
        answers = Answers.of(
            _index(column.tasks[keep], tasks_universe),
            _index(column.workers[keep], workers_universe),
            codes,
            len(tasks_universe),
            len(workers_universe),
            len(uniques),
        )
        uniques = [str(u) for u in uniques]
        fields[name] = FieldAnswers(name, answers, uniques, name in free or len(uniques) > max_labels)
    return Encoded(tasks_universe.tolist(), workers_universe.tolist(), fields)


def columns_from_rows(
    rows: Iterable[tuple[int, int, dict]], fields: list[str] | None = None
) -> dict[str, FieldColumns]:
    """Per-field columns from (task id, worker id, answers) rows, for sources that hold answers as objects."""
    found: dict[str, tuple[list, list, list]] = {}
    for task_id, worker_id, answers in rows:
        if not isinstance(answers, dict):
            answers = orjson.loads(answers)
        for name, value in answers.items():
            if fields is not None and name not in fields:
                continue
            t, w, v = found.setdefault(name, ([], [], []))
            t.append(task_id), w.append(worker_id), v.append(label_of(value))
    for name in fields or ():
        found.setdefault(name, ([], [], []))
    return {
        name: FieldColumns(np.array(t, dtype=np.int64), np.array(w, dtype=np.int64), v)
        for name, (t, w, v) in found.items()
    }


def encode(rows, *, fields=None, free_text=(), max_labels=50, task_ids=()) -> Encoded:
    """Code (task id, worker id, answers) rows."""
    return encode_columns(
        columns_from_rows(rows, fields), task_ids=task_ids, free_text=free_text, max_labels=max_labels
    )
