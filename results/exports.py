"""The native results exports (CSV and JSON Lines): one row per submitted assignment, streamed.

Rows come from a server-side cursor in chunks and are written out as they arrive, so memory does not grow
with the number of results. The native CSV neutralises cells that a spreadsheet would run as a formula;
JSON Lines is data and keeps values as they are. (The Turkle-compatible results CSV is a separate export
that stays byte-compatible with Turkle.)
"""

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from json.encoder import encode_basestring

from django.db import connection, transaction
from django.db.models import Func, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast

from campaigns.models import Campaign
from tasks.models import ImportJob, Task

from .models import Assignment, AssignmentState

EXPORTED_STATES = (
    AssignmentState.SUBMITTED,
    AssignmentState.APPROVED,
    AssignmentState.REJECTED,
    AssignmentState.SOFT_REJECTED,
)
CHUNK_ROWS = 5000
CHUNK_CHARS = 1 << 16
FIXED_COLUMNS = [
    "assignment_id",
    "task_id",
    "task_position",
    "worker",
    "state",
    "accepted_at",
    "submitted_at",
    "quality",
]
FIXED_VALUES = (
    "id",
    "task_id",
    "task__position",
    "worker__username",
    "state",
    "accepted_at",
    "submitted_at",
    "quality",
)
_ISO = "%Y-%m-%dT%H:%M:%S.%fZ"
_FORMULA_STARTS = frozenset("=+-@\t\r")


def _exported(campaign: Campaign) -> QuerySet:
    return Assignment.objects.filter(campaign=campaign, state__in=EXPORTED_STATES).order_by("id")


def _distinct_keys(table: str, column: str, where: str, params: list) -> list[str]:
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT DISTINCT jsonb_object_keys({column}) FROM {table} "
            f"WHERE {where} AND jsonb_typeof({column}) = 'object'"
        )
    else:
        sql = (
            f"SELECT DISTINCT j.key FROM {table}, json_each({table}.{column}) j "
            f"WHERE {where} AND json_type({table}.{column}) = 'object'"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


def export_columns(campaign: Campaign) -> tuple[list[str], list[str]]:
    """(input keys, answer keys) of a campaign's export.

    Input keys come from the headers of its imports (in the order first seen), plus the template fields;
    only a campaign whose tasks were made otherwise needs a pass over the tasks. Answer keys take one
    pass over the exported answers, reading only the keys.
    """
    inputs: dict[str, None] = {}
    for header in ImportJob.objects.filter(campaign=campaign).order_by("id").values_list("header", flat=True):
        inputs.update(dict.fromkeys(header))
    if not inputs and Task.objects.filter(campaign=campaign).exists():
        inputs.update(
            dict.fromkeys(_distinct_keys(Task._meta.db_table, "input", "campaign_id = %s", [campaign.pk]))
        )
    inputs.update(dict.fromkeys(campaign.project.template_fields))
    states = ", ".join(["%s"] * len(EXPORTED_STATES))
    answers = _distinct_keys(
        Assignment._meta.db_table,
        "answers",
        f"campaign_id = %s AND state IN ({states})",
        [campaign.pk, *EXPORTED_STATES],
    )
    return list(inputs), answers


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime(_ISO) if value is not None else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _neutral(text: str | None) -> str:
    """Neutralised if a spreadsheet would read the cell as a formula."""
    if not text:
        return ""
    return "'" + text if text[0] in _FORMULA_STARTS else text


def _cell(value) -> str:
    return _neutral("|".join(_text(v) for v in value) if isinstance(value, list) else _text(value))


class _IsoUtc(Func):
    """A timestamp as ISO 8601 UTC text, formatted by the database (PostgreSQL)."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    output_field = TextField()


class _AnswerText(Func):
    """One key of a JSON object as text, a list's items joined with ``|`` (PostgreSQL)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"CASE WHEN jsonb_typeof({sql}) = 'array' "
            f"THEN array_to_string(ARRAY(SELECT jsonb_array_elements_text({sql})), '|', '') "
            f"ELSE {sql} #>> '{{}}' END",
            [*params, *params, *params],
        )


def _streamed(queryset: QuerySet, *values) -> Iterator[tuple]:
    # A server-side cursor inside a transaction streams; outside one, PostgreSQL would materialise the
    # whole result at the first fetch to keep the cursor open after the commit.
    with transaction.atomic():
        yield from queryset.values_list(*values).iterator(chunk_size=CHUNK_ROWS)


def _chunked(lines: Iterator[str]) -> Iterator[str]:
    """Lines gathered into chunks of about 64 kB: one write per chunk instead of one per row."""
    parts, size = [], 0
    for line in lines:
        parts.append(line)
        size += len(line)
        if size >= CHUNK_CHARS:
            yield "".join(parts)
            parts, size = [], 0
    if parts:
        yield "".join(parts)


class _Line:
    def write(self, value: str) -> str:
        return value


class _Neutral(Func):
    """Text prefixed with ``'`` when a spreadsheet would read it as a formula (PostgreSQL; the expression
    is evaluated once)."""

    template = r"regexp_replace(%(expressions)s, '^([-=+@\t\r])', '''\1')"
    output_field = TextField()


def _csv_rows_postgres(campaign: Campaign, input_keys: list[str], answer_keys: list[str]) -> Iterator[list]:
    """PostgreSQL formats the times, takes the values out of the JSON and neutralises the cells: several
    times faster than decoding every row's JSON here."""
    names = {f"i{n}": _Neutral(KeyTextTransform(k, "task__input")) for n, k in enumerate(input_keys)}
    names.update(
        {f"a{n}": _Neutral(_AnswerText(KeyTransform(k, "answers"))) for n, k in enumerate(answer_keys)}
    )
    queryset = _exported(campaign).annotate(
        worker_text=_Neutral("worker__username"),
        accepted_text=_IsoUtc("accepted_at"),
        submitted_text=_IsoUtc("submitted_at"),
        **names,
    )
    fixed = (
        "id",
        "task_id",
        "task__position",
        "worker_text",
        "state",
        "accepted_text",
        "submitted_text",
        "quality",
    )
    return _streamed(queryset, *fixed, *names)


def _csv_rows_python(campaign: Campaign, input_keys: list[str], answer_keys: list[str]) -> Iterator[list]:
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
            "" if quality is None else quality,
            *(_cell(task_input.get(k)) for k in input_keys),
            *(_cell(answers.get(k)) for k in answer_keys),
        ]


def results_csv_lines(campaign: Campaign) -> Iterator[str]:
    input_keys, answer_keys = export_columns(campaign)
    writer = csv.writer(_Line())
    rows = _csv_rows_postgres if connection.vendor == "postgresql" else _csv_rows_python

    def chunks() -> Iterator[str]:
        yield writer.writerow(
            [*FIXED_COLUMNS, *(f"input.{k}" for k in input_keys), *(f"answer.{k}" for k in answer_keys)]
        )
        found = rows(campaign, input_keys, answer_keys)
        while batch := list(islice(found, CHUNK_ROWS)):
            buffer = io.StringIO()
            csv.writer(buffer).writerows(batch)
            yield buffer.getvalue()

    return chunks()


def _jsonl_postgres(campaign: Campaign) -> Iterator[str]:
    """The JSON objects go out as PostgreSQL prints them, without a decode and re-encode per row."""
    queryset = _exported(campaign).annotate(
        accepted_text=_IsoUtc("accepted_at"),
        submitted_text=_IsoUtc("submitted_at"),
        input_text=Cast("task__input", TextField()),
        answers_text=Cast("answers", TextField()),
    )
    values = (*FIXED_VALUES[:5], "accepted_text", "submitted_text", "quality", "input_text", "answers_text")
    for aid, tid, position, worker, state, accepted, submitted, quality, task_input, answers in _streamed(
        queryset, *values
    ):
        yield (
            f'{{"assignment_id": {aid}, "task_id": {tid}, "task_position": {position}, '
            f'"worker": {encode_basestring(worker)}, "state": {encode_basestring(state)}, '
            f'"accepted_at": {_json_text(accepted)}, "submitted_at": {_json_text(submitted)}, '
            f'"quality": {"null" if quality is None else quality}, '
            f'"input": {task_input}, "answers": {answers}}}\n'
        )


def _json_text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _jsonl_python(campaign: Campaign) -> Iterator[str]:
    encode = json.JSONEncoder(ensure_ascii=False).encode
    for aid, tid, position, worker, state, accepted, submitted, quality, task_input, answers in _streamed(
        _exported(campaign), *FIXED_VALUES, "task__input", "answers"
    ):
        yield (
            encode(
                {
                    "assignment_id": aid,
                    "task_id": tid,
                    "task_position": position,
                    "worker": worker,
                    "state": state,
                    "accepted_at": _iso(accepted),
                    "submitted_at": _iso(submitted),
                    "quality": quality,
                    "input": task_input,
                    "answers": answers,
                }
            )
            + "\n"
        )


def results_jsonl_lines(campaign: Campaign) -> Iterator[str]:
    return _chunked(
        _jsonl_postgres(campaign) if connection.vendor == "postgresql" else _jsonl_python(campaign)
    )
