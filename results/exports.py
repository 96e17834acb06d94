"""The native results exports (CSV and JSON Lines): one row per submitted assignment, streamed.

Memory does not grow with the number of results: on PostgreSQL the CSV is printed by the database
(``COPY (...) TO STDOUT``) and handed on chunk by chunk; JSON Lines, and the CSV elsewhere, come from a
server-side cursor in chunks and are written out as they arrive. The native CSV neutralises cells that a spreadsheet would run as a formula;
JSON Lines is data and keeps values as they are. (The Turkle-compatible results CSV is a separate export
that stays byte-compatible with Turkle.)
"""

import csv
import json
import queue
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from json.encoder import encode_basestring

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Func, QuerySet, TextField, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, NullIf

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


class _CopyStopped(Exception):
    pass


def _copy_out(sql: str) -> Iterator[bytes]:
    """The output of ``COPY (...) TO STDOUT``, chunk by chunk, as the database writes it.

    The driver can only push COPY data into a file object, so a thread with its own connection runs the
    COPY into a bounded queue and this generator pulls from it: memory stays at a few chunks, and if the
    client goes away the thread's next write aborts the COPY.
    """
    chunks: queue.Queue = queue.Queue(maxsize=8)
    stop = threading.Event()
    done = object()

    def put(item) -> None:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        raise _CopyStopped

    class Sink:
        def __init__(self):
            self.parts, self.size = [], 0

        def write(self, data) -> int:
            self.parts.append(data)
            self.size += len(data)
            if self.size >= CHUNK_CHARS:
                self.flush()
            return len(data)

        def flush(self) -> None:
            if self.parts:
                put(b"".join(self.parts))
                self.parts, self.size = [], 0

    def run() -> None:
        database = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            sink = Sink()
            with database.cursor() as cursor:
                # By position: Django's debug cursor (DEBUG on) passes on positional arguments only.
                cursor.copy_expert(sql, sink, CHUNK_CHARS)
            sink.flush()
            put(done)
        except _CopyStopped:
            pass
        except Exception as exc:  # handed to the consumer, which raises it in the request
            try:
                put(exc)
            except _CopyStopped:
                pass
        finally:
            database.close()

    thread = threading.Thread(target=run, name="results-export-copy", daemon=True)
    thread.start()
    try:
        while (item := chunks.get()) is not done:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=10)


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
    from .job_exports import job_results_csv_lines, publishes_jobs  # (it builds on this module)

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
    from .job_exports import job_results_jsonl_lines, publishes_jobs  # (it builds on this module)

    if publishes_jobs(campaign):
        return job_results_jsonl_lines(campaign)
    return _chunked(
        _jsonl_postgres(campaign) if connection.vendor == "postgresql" else _jsonl_python(campaign)
    )
