"""The native results CSV: printed by PostgreSQL itself (``COPY ... TO STDOUT``), elsewhere by the csv
module with the same quoting and line ends."""

import csv
from collections.abc import Iterator
from itertools import islice

from django.db import connection
from django.db.models import QuerySet, TextField, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import NullIf

from campaigns.models import Campaign

from .columns import (
    FIXED_COLUMNS,
    FIXED_VALUES,
    _AnswerText,
    _cell,
    _exported,
    _iso,
    _IsoUtc,
    _Neutral,
    _neutral,
    export_columns,
)
from .streaming import CHUNK_ROWS, _copy_out, _Line, _streamed


def _csv_query_postgres(campaign: Campaign, input_keys: list[str], answer_keys: dict[str, bool]) -> QuerySet:
    """The rows as PostgreSQL will print them: times formatted, values taken out of the JSON, cells
    neutralised, empty text as NULL (so that COPY prints nothing rather than ``""``, as the csv module)."""
    names = {
        f"i{n}": NullIf(_Neutral(KeyTextTransform(k, "task__input")), Value("", output_field=TextField()))
        for n, k in enumerate(input_keys)
    }
    # A key none of whose answers is a list is read as plain text; only the others pay for the join.
    names.update(
        {
            f"a{n}": NullIf(
                _Neutral(
                    _AnswerText(KeyTransform(k, "answers")) if listed else KeyTextTransform(k, "answers")
                ),
                Value("", output_field=TextField()),
            )
            for n, (k, listed) in enumerate(answer_keys.items())
        }
    )
    queryset = _exported(campaign).annotate(
        worker_text=NullIf(_Neutral("worker__username"), Value("", output_field=TextField())),
        accepted_text=_IsoUtc("accepted_at"),
        submitted_text=_IsoUtc("submitted_at"),
        **names,
    )
    fixed = ("id", "task_id", "task__position", "worker_text", "state", "accepted_text", "submitted_text")
    return queryset.values_list(*fixed, "quality", *names)


def _csv_chunks_postgres(
    campaign: Campaign, input_keys: list[str], answer_keys: dict[str, bool]
) -> Iterator[bytes]:
    sql, params = _csv_query_postgres(campaign, input_keys, answer_keys).query.sql_with_params()
    with connection.cursor() as cursor:
        # COPY takes no parameters; the driver quotes them into the statement.
        query = cursor.mogrify(sql, params)
    query = query.decode() if isinstance(query, bytes) else query
    return _copy_out(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)")


def _csv_rows_python(
    campaign: Campaign, input_keys: list[str], answer_keys: dict[str, bool]
) -> Iterator[list]:
    for aid, tid, position, worker, state, accepted, submitted, quality, task_input, answers in _streamed(
        _exported(campaign), *FIXED_VALUES, "task__input", "answers"
    ):
        task_input = task_input if isinstance(task_input, dict) else {}
        answers = answers if isinstance(answers, dict) else {}
        yield [
            aid,
            tid,
            position,
            _neutral(worker),
            state,
            _iso(accepted),
            _iso(submitted),
            quality,
            *(_cell(task_input.get(k)) for k in input_keys),
            *(_cell(answers.get(k)) for k in answer_keys),
        ]


def results_csv_lines(campaign: Campaign) -> Iterator[str | bytes]:
    """The CSV: on PostgreSQL written by the database itself (``COPY ... TO STDOUT``), elsewhere by the
    csv module with the same quoting and line ends."""
    from ..job_exports import job_results_csv_lines, publishes_jobs  # (it builds on this package)

    if publishes_jobs(campaign):  # columns per screen and component
        return job_results_csv_lines(campaign)
    input_keys, answer_keys = export_columns(campaign)
    # The csv module quotes a cell holding a line break only if the break is in its line terminator, so it
    # writes with CRLF (a lone CR in a cell is then quoted, as COPY quotes it) and each line ends in LF.
    writer = csv.writer(_Line(), lineterminator="\r\n")

    def line(row: list) -> str:
        return writer.writerow(row)[:-2] + "\n"

    header = line(
        [*FIXED_COLUMNS, *(f"input.{k}" for k in input_keys), *(f"answer.{k}" for k in answer_keys)]
    )

    def chunks() -> Iterator[str | bytes]:
        yield header
        if connection.vendor == "postgresql":
            yield from _csv_chunks_postgres(campaign, input_keys, answer_keys)
            return
        found = _csv_rows_python(campaign, input_keys, answer_keys)
        while batch := list(islice(found, CHUNK_ROWS)):
            yield "".join(line(row) for row in batch)

    return chunks()
