"""The native results exports (CSV and JSON Lines): one row per submitted assignment, streamed.

Rows come from a server-side cursor in chunks and are written out as they arrive, so memory does not grow
with the number of results. The native CSV neutralises cells that a spreadsheet would run as a formula;
JSON Lines is data and keeps values as they are. (The Turkle-compatible results CSV is a separate export
that stays byte-compatible with Turkle.)
"""

import csv
import json
from collections.abc import Iterator
from datetime import datetime

from django.db import connection, transaction
from django.db.models import QuerySet

from campaigns.models import Campaign
from tasks.models import ImportJob, Task

from .models import Assignment, AssignmentState

EXPORTED_STATES = (
    AssignmentState.SUBMITTED,
    AssignmentState.APPROVED,
    AssignmentState.REJECTED,
    AssignmentState.SOFT_REJECTED,
)
CHUNK_ROWS = 2000
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
_VALUES = (
    "id",
    "task_id",
    "task__position",
    "worker__username",
    "state",
    "accepted_at",
    "submitted_at",
    "quality",
    "task__input",
    "answers",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


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


def _csv_cell(value) -> str:
    """A cell as text, lists joined with ``|``, neutralised if a spreadsheet would read it as a formula."""
    text = "|".join(_text(v) for v in value) if isinstance(value, list) else _text(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _rows(campaign: Campaign) -> Iterator[tuple]:
    # A server-side cursor inside a transaction streams; outside one, PostgreSQL would materialise the
    # whole result at the first fetch to keep the cursor open after the commit.
    with transaction.atomic():
        yield from _exported(campaign).values_list(*_VALUES).iterator(chunk_size=CHUNK_ROWS)


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


def results_csv_lines(campaign: Campaign) -> Iterator[str]:
    input_keys, answer_keys = export_columns(campaign)
    writer = csv.writer(_Line())

    def lines() -> Iterator[str]:
        yield writer.writerow(
            [*FIXED_COLUMNS, *(f"input.{k}" for k in input_keys), *(f"answer.{k}" for k in answer_keys)]
        )
        for aid, tid, position, worker, state, accepted, submitted, quality, task_input, answers in _rows(
            campaign
        ):
            task_input = task_input if isinstance(task_input, dict) else {}
            answers = answers if isinstance(answers, dict) else {}
            yield writer.writerow(
                [
                    aid,
                    tid,
                    position,
                    _csv_cell(worker),
                    state,
                    _iso(accepted),
                    _iso(submitted),
                    "" if quality is None else quality,
                    *(_csv_cell(task_input.get(k)) for k in input_keys),
                    *(_csv_cell(answers.get(k)) for k in answer_keys),
                ]
            )

    return _chunked(lines())


def results_jsonl_lines(campaign: Campaign) -> Iterator[str]:
    encode = json.JSONEncoder(ensure_ascii=False).encode

    def lines() -> Iterator[str]:
        for aid, tid, position, worker, state, accepted, submitted, quality, task_input, answers in _rows(
            campaign
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

    return _chunked(lines())
