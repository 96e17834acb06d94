"""Where a run reads its input: the results of its scope in the database, or the input data of a bundle.

Both hand out the same rows, so a kind computes the same thing at home and from a bundle run elsewhere.
The database source reads through a server-side cursor a few thousand rows at a time: a run's memory
does not grow with the number of results it reads, only with what the kind keeps of them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import orjson
import pandas as pd
from django.db import connection, transaction
from django.db.models import F, Func, QuerySet, TextField, Value
from django.db.models.fields.json import KT, KeyTransform
from django.db.models.functions import Cast

from .encoding import FieldColumns, columns_from_rows, label_of_text
from .states import ALL_STATES, DEFAULT_STATES

CHUNK = 5000


@dataclass(frozen=True)
class ResultRow:
    task_id: int
    worker_id: int
    state: str
    answers: dict
    accepted_at: datetime | None
    submitted_at: datetime | None
    reviewed_at: datetime | None


@dataclass(frozen=True)
class TaskRow:
    task_id: int
    campaign_id: int
    position: int
    input: dict


def stream_rows(queryset: QuerySet, chunk: int = CHUNK) -> Iterator[list[tuple]]:
    """The queryset's rows in lists of ``chunk``, through a server-side cursor on PostgreSQL: its own SQL,
    without the ORM's per-row work (a run reads a million rows this way in about two seconds)."""
    if connection.vendor != "postgresql":
        rows = queryset.iterator(chunk_size=chunk)
        while batch := [row for _, row in zip(range(chunk), rows, strict=False)]:
            yield batch
        return
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(using=queryset.db):
        connection.ensure_connection()
        with connection.connection.cursor(name="report_rows") as cursor:
            cursor.itersize = chunk
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(chunk):
                yield batch


def _columns(queryset: QuerySet) -> tuple[np.ndarray, ...]:
    """The columns of a query whose first two columns are ids and the rest text. On PostgreSQL the database
    writes them as CSV (``COPY … TO STDOUT``) and pandas' C parser reads it: a million rows in about a second."""
    width = len(queryset.query.values_select) + len(queryset.query.annotation_select)
    names = [f"c{i}" for i in range(width)]
    if connection.vendor != "postgresql":
        rows = [row for batch in stream_rows(queryset) for row in batch]
        columns = list(zip(*rows, strict=True)) if rows else [()] * width
        return tuple(
            np.array(column, dtype=np.int64 if i < 2 else object) for i, column in enumerate(columns)
        )
    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    buffer = io.BytesIO()
    with connection.connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
    buffer.seek(0)
    frame = pd.read_csv(
        buffer,
        header=None,
        names=names,
        dtype={name: (np.int64 if i < 2 else object) for i, name in enumerate(names)},
        keep_default_na=False,
        na_values={name: [""] for name in names[2:]},
    )
    return tuple(
        frame[name].to_numpy() if i < 2 else frame[name].to_numpy(dtype=object)
        for i, name in enumerate(names)
    )


def _when(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


class DatabaseSource:
    """The results of one campaign or of every campaign of one project."""

    def __init__(self, *, scope: str, scope_id: int):
        self.scope, self.scope_id = scope, scope_id

    def _filter(self, prefix: str = "") -> dict:
        key = "campaign_id" if self.scope == "campaign" else "campaign__project_id"
        return {f"{prefix}{key}": self.scope_id}

    def campaign_ids(self) -> list[int]:
        from campaigns.models import Campaign

        if self.scope == "campaign":
            return list(Campaign.objects.filter(pk=self.scope_id).values_list("pk", flat=True))
        return list(
            Campaign.objects.filter(project_id=self.scope_id).order_by("pk").values_list("pk", flat=True)
        )

    def _assignments(self, states):
        from results.models import Assignment

        return Assignment.objects.filter(**self._filter(), state__in=list(states)).order_by()

    def answer_fields(self, states=DEFAULT_STATES) -> list[str]:
        """Every answer field that the results of these states use."""
        results = self._assignments(states)
        if connection.vendor != "postgresql":
            return sorted({key for (answers,) in results.values_list("answers") for key in answers})
        sql, params = results.values("answers").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT jsonb_object_keys(answers) FROM ({sql}) AS chosen", params)
            return sorted(row[0] for row in cursor.fetchall())

    def answer_columns(
        self, fields=None, states=DEFAULT_STATES, check=lambda: None
    ) -> dict[str, FieldColumns]:
        """Per field: task ids, worker ids and the answers' labels — one read of ``answers->>'field'`` each."""
        found = {}
        for name in fields or self.answer_fields(states):
            check()
            value = KT(f"answers__{name}")
            if connection.vendor == "postgresql":
                kind = Func(KeyTransform(name, "answers"), function="jsonb_typeof", output_field=TextField())
            else:
                path = Value("$." + orjson.dumps(name).decode())
                kind = Func(F("answers"), path, function="json_type", output_field=TextField())
            rows = self._assignments(states).values_list("task_id", "worker_id", value, kind)
            tasks, workers, texts, kinds = _columns(rows)
            labels = pd.Series(texts, dtype=object)
            parse = pd.Series(kinds).isin(["object", "array"]).to_numpy()
            if parse.any():
                labels[parse] = [label_of_text(text) for text in labels[parse]]
            found[name] = FieldColumns(tasks, workers, labels.to_numpy(dtype=object))
        return found

    def task_ids(self) -> list[int]:
        from tasks.models import Task

        return list(
            Task.objects.filter(**self._filter())
            .order_by("campaign_id", "position")
            .values_list("pk", flat=True)
        )

    def task_positions(self) -> dict[int, tuple[int, int]]:

        ids, campaigns, positions = self.task_table()
        return dict(zip(ids.tolist(), zip(campaigns.tolist(), positions.tolist(), strict=True), strict=True))

    def task_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(task ids, campaign ids, positions) of every task of the scope."""
        from tasks.models import Task

        rows = Task.objects.filter(**self._filter()).order_by().values_list("pk", "campaign_id", "position")
        ids, campaigns, positions = _columns(rows)
        return ids, campaigns, positions.astype(np.int64)

    def results(self, states=DEFAULT_STATES) -> Iterator[ResultRow]:
        from results.models import Assignment

        rows = (
            Assignment.objects.filter(**self._filter(), state__in=list(states))
            .order_by("pk")
            .values_list(
                "task_id",
                "worker_id",
                "state",
                Cast("answers", TextField()),
                "accepted_at",
                "submitted_at",
                "reviewed_at",
            )
        )
        for task_id, worker_id, state, answers, accepted, submitted, reviewed in rows.iterator(
            chunk_size=CHUNK
        ):
            yield ResultRow(task_id, worker_id, state, orjson.loads(answers), accepted, submitted, reviewed)

    def tasks(self) -> Iterator[TaskRow]:
        from tasks.models import Task

        rows = (
            Task.objects.filter(**self._filter())
            .order_by("campaign_id", "position")
            .values_list("pk", "campaign_id", "position", Cast("input", TextField()))
        )
        for pk, campaign_id, position, data in rows.iterator(chunk_size=CHUNK):
            yield TaskRow(pk, campaign_id, position, orjson.loads(data))

    def worker_names(self) -> dict[int, str]:
        from django.contrib.auth.models import User

        from results.models import Assignment

        ids = Assignment.objects.filter(**self._filter()).values("worker_id").distinct()
        return dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))

    def exports(self) -> Iterator[tuple[int, Iterator[str | bytes], Iterator[str]]]:
        """(campaign id, CSV chunks, JSON Lines chunks): the native results exports of each campaign."""
        from campaigns.models import Campaign
        from results.exports import results_csv_lines, results_jsonl_lines

        for campaign in Campaign.objects.filter(pk__in=self.campaign_ids()).order_by("pk"):
            yield campaign.pk, results_csv_lines(campaign), results_jsonl_lines(campaign)

    def write_input(self, archive: zipfile.ZipFile, states=DEFAULT_STATES) -> None:
        """Put the input data into a bundle: ``input/results.jsonl``, ``input/tasks.jsonl``, ``input/workers.json``."""
        with archive.open("input/results.jsonl", "w") as out:
            for row in self.results(states=ALL_STATES):
                out.write(
                    orjson.dumps(
                        {
                            "task_id": row.task_id,
                            "worker_id": row.worker_id,
                            "state": row.state,
                            "answers": row.answers,
                            "accepted_at": row.accepted_at,
                            "submitted_at": row.submitted_at,
                            "reviewed_at": row.reviewed_at,
                        }
                    )
                    + b"\n"
                )
        with archive.open("input/tasks.jsonl", "w") as out:
            for task in self.tasks():
                out.write(orjson.dumps(task.__dict__) + b"\n")
        archive.writestr(
            "input/workers.json", orjson.dumps({str(k): v for k, v in self.worker_names().items()})
        )
        archive.writestr("input/campaigns.json", orjson.dumps(self.campaign_ids()))
        for campaign_id, csv_chunks, jsonl_chunks in self.exports():
            for suffix, chunks in (("csv", csv_chunks), ("jsonl", jsonl_chunks)):
                with archive.open(f"input/exports/results-{campaign_id}.{suffix}", "w") as out:
                    for chunk in chunks:
                        out.write(chunk.encode() if isinstance(chunk, str) else chunk)


class BundleSource:
    """The input data packed into a bundle by ``DatabaseSource.write_input``."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive

    def _lines(self, name: str) -> Iterator[dict]:
        with self.archive.open(name) as raw:
            for line in io.TextIOWrapper(raw, encoding="utf-8"):
                if line.strip():
                    yield orjson.loads(line)

    def campaign_ids(self) -> list[int]:
        return orjson.loads(self.archive.read("input/campaigns.json"))

    def results(self, states=DEFAULT_STATES) -> Iterator[ResultRow]:
        for row in self._lines("input/results.jsonl"):
            if row["state"] in states:
                yield ResultRow(
                    row["task_id"],
                    row["worker_id"],
                    row["state"],
                    row["answers"],
                    _when(row["accepted_at"]),
                    _when(row["submitted_at"]),
                    _when(row["reviewed_at"]),
                )

    def answer_columns(
        self, fields=None, states=DEFAULT_STATES, check=lambda: None
    ) -> dict[str, FieldColumns]:
        return columns_from_rows(((r.task_id, r.worker_id, r.answers) for r in self.results(states)), fields)

    def task_ids(self) -> list[int]:
        return [t.task_id for t in self.tasks()]

    def task_positions(self) -> dict[int, tuple[int, int]]:
        return {t.task_id: (t.campaign_id, t.position) for t in self.tasks()}

    def task_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = [(t.task_id, t.campaign_id, t.position) for t in self.tasks()]
        columns = list(zip(*rows, strict=True)) if rows else [(), (), ()]
        return tuple(np.array(column, dtype=np.int64) for column in columns)

    def tasks(self) -> Iterator[TaskRow]:
        for row in self._lines("input/tasks.jsonl"):
            yield TaskRow(row["task_id"], row["campaign_id"], row["position"], row["input"])

    def exports(self) -> Iterator[tuple[int, Iterator[bytes], Iterator[bytes]]]:
        for campaign_id in self.campaign_ids():
            yield (
                campaign_id,
                iter([self.archive.read(f"input/exports/results-{campaign_id}.csv")]),
                iter([self.archive.read(f"input/exports/results-{campaign_id}.jsonl")]),
            )

    def worker_names(self) -> dict[int, str]:
        return {int(k): v for k, v in orjson.loads(self.archive.read("input/workers.json")).items()}
