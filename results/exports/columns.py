"""What an export holds: the assignments with submitted work, their fixed columns, the input and answer
keys of the campaign, and how each value becomes a cell (in Python, or in SQL on PostgreSQL)."""

import json
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Func, QuerySet, TextField

from campaigns.models import Campaign
from tasks.models import ImportJob, Task

from ..lifecycle import SUBMITTED_WORK_STATES
from ..models import Assignment

# The rows of an export: every assignment that carries handed-in answers.
EXPORTED_STATES = SUBMITTED_WORK_STATES
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


def _key_kinds(table: str, column: str, where: str, params: list) -> dict[str, bool]:
    """Each top-level key of the JSON objects in ``column`` (sorted) → whether any of them holds a list there,
    in one pass that reads the keys and the type of their values only."""
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT j.key, bool_or(jsonb_typeof(j.value) = 'array') FROM {table}, jsonb_each({table}.{column}) j "
            f"WHERE {where} AND jsonb_typeof({table}.{column}) = 'object' GROUP BY j.key"
        )
    else:
        sql = (
            f"SELECT j.key, max(j.type = 'array') FROM {table}, json_each({table}.{column}) j "
            f"WHERE {where} AND json_type({table}.{column}) = 'object' GROUP BY j.key"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: bool(listed) for key, listed in sorted(cursor.fetchall())}


def export_columns(campaign: Campaign) -> tuple[list[str], dict[str, bool]]:
    """(input keys, answer keys → whether some answer under the key is a list) of a campaign's export.

    Input keys come from the headers of its imports (in the order first seen), plus the template fields;
    only a campaign whose tasks were made otherwise needs a pass over the tasks. Answer keys take one
    pass over the exported answers, reading only the keys and their values' types.
    """
    inputs: dict[str, None] = {}
    for header in ImportJob.objects.filter(campaign=campaign).order_by("id").values_list("header", flat=True):
        inputs.update(dict.fromkeys(header))
    if not inputs and Task.objects.filter(campaign=campaign).exists():
        inputs.update(
            dict.fromkeys(_key_kinds(Task._meta.db_table, "input", "campaign_id = %s", [campaign.pk]))
        )
    inputs.update(dict.fromkeys(campaign.project.template_fields))
    states = ", ".join(["%s"] * len(EXPORTED_STATES))
    answers = _key_kinds(
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


class _Neutral(Func):
    """Text prefixed with ``'`` when a spreadsheet would read it as a formula (PostgreSQL; the expression
    is evaluated once)."""

    template = r"regexp_replace(%(expressions)s, '^([-=+@\t\r])', '''\1')"
    output_field = TextField()
