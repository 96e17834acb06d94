"""Adding tasks to a campaign from CSV or from a JSON list: the one path used by every API surface.

All or nothing, and streamed: the CSV is parsed a few thousand records at a time while the rows are
written, so neither the file nor its rows are ever held whole. Each list of records is checked as it
arrives; the first bad record raises inside the one transaction that writes them, so nothing of the batch
stays. On PostgreSQL the rows go in through ``COPY ... FROM STDIN`` fed as they are parsed, or, for a
large import, are stored in blocks whose tasks are written right after the commit (``tasks.staging``);
elsewhere through batched ``bulk_create``. Errors name the line (CSV, 1-based, the physical line where
the record starts, the header being line 1) or the item index.
"""

import csv
import io
import logging
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain, islice
from typing import IO

from django.conf import settings
from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Max

from campaigns.budget import campaign_budget_add_tasks
from campaigns.lifecycle import accepts_new_tasks
from campaigns.models import Campaign
from campaigns.services import campaign_create, campaign_qs_for_update, campaign_set_active
from crowdplatform.errors import Conflict, ValidationFailed
from crowdplatform.jsonvalues import holds_nul
from projects.models import Project

from . import staging
from .copy_rows import copy_in, csv_json_texts, task_rows_copy
from .models import ImportJob, Task, TaskBlock
from .tasks import write_staged_tasks

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
# Records parsed and checked at a time; a staged import stores each such list as one block.
CHUNK_RECORDS = 5000
STREAM_READ_SIZE = 1 << 20
_json = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _check_header(header: list[str], fields: list[str]) -> None:
    if not header or all(not h.strip() for h in header):
        raise ValidationFailed("The CSV has no header row.", code="csv-empty", line=1)
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise ValidationFailed(
            f"The header names '{duplicates[0]}' twice.",
            code="csv-duplicate-column",
            line=1,
            field=duplicates[0],
        )
    missing = [f for f in fields if f not in header]
    if missing:
        raise ValidationFailed(
            f"The header does not supply the template field '{missing[0]}'.",
            code="csv-missing-field",
            line=1,
            field=missing[0],
        )


class _RawReader(io.RawIOBase):
    """Any object with ``read(size)`` returning bytes (a WSGI request, an uploaded file) as a raw stream,
    noting whether a NUL byte went past (in UTF-8 only the NUL character has one)."""

    def __init__(self, source):
        self._source = source
        self.saw_nul = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._source.read(len(buffer))
        if not data:
            return 0
        if b"\x00" in data:
            self.saw_nul = True
        buffer[: len(data)] = data
        return len(data)


def _text_stream(stream) -> tuple[IO[str], Callable[[], bool]]:
    """The stream as text, and whether a NUL character may have been read from it so far."""
    if isinstance(stream, (bytes, str)):
        raise TypeError("Pass a file-like object, not the whole content.")
    if isinstance(stream, io.StringIO):  # the Turkle API's csv_text: all of it is at hand already
        has_nul = "\x00" in stream.getvalue()
        return stream, lambda: has_nul
    if isinstance(stream, io.TextIOBase) or isinstance(stream.read(0), str):
        return stream, lambda: True
    raw = _RawReader(stream)
    text = io.TextIOWrapper(io.BufferedReader(raw, STREAM_READ_SIZE), encoding="utf-8-sig", newline="")
    # The text layer reads 8 KiB at a time by default: from a request body that is several times slower
    # (gunicorn copies what it has read ahead on every read) than reading and decoding 1 MiB at a time.
    text._CHUNK_SIZE = STREAM_READ_SIZE
    return text, lambda: raw.saw_nul


def _lines_of(record: list[str]) -> int:
    """Physical lines a record took: one, plus the line breaks quoted inside its cells (CRLF is one)."""
    return 1 + sum(cell.count("\n") + cell.count("\r") - cell.count("\r\n") for cell in record)


def _records(stream, fields: list[str]) -> tuple[list[str], Iterator[list[list[str]]]]:
    """The checked header, and a lazy iterator of the records that follow, in lists of up to
    ``CHUNK_RECORDS`` (blank lines left out).

    Each list is parsed and checked at once, in C (the reader, then the widths), so a million records
    cost little more than the parse; a bad record raises when its list is read, naming the line where it
    starts, which is only then worked out from the records before it.
    """
    text, may_hold_nul = _text_stream(stream)
    # Strict: a quote left open must not swallow the rest of the file into one cell.
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader, [])
    except UnicodeDecodeError as exc:
        raise ValidationFailed("The CSV is not UTF-8 text.", code="csv-encoding", line=1) from exc
    except csv.Error as exc:
        raise _malformed(exc, 1) from exc
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    _check_header(header, fields)
    width = len(header)

    def unreadable(exc: Exception, chunk: list[list[str]], before: int) -> ValidationFailed:
        # A bad record before the one that could not be read is the file's first fault.
        _check_chunk(chunk, before, width, nul=may_hold_nul())
        line = before + sum(map(_lines_of, chunk)) + 1
        if isinstance(exc, UnicodeDecodeError):
            return ValidationFailed(
                f"Line {line}: the CSV is not UTF-8 text.", code="csv-encoding", line=line
            )
        return _malformed(exc, line)

    def chunks() -> Iterator[list[list[str]]]:
        while True:
            before, chunk = reader.line_num, []
            try:
                chunk.extend(islice(reader, CHUNK_RECORDS))
            except (UnicodeDecodeError, csv.Error) as exc:
                raise unreadable(exc, chunk, before) from exc
            if not chunk:
                return
            uneven = min(map(len, chunk)) != width or max(map(len, chunk)) != width
            if uneven or may_hold_nul():
                _check_chunk(chunk, before, width, nul=may_hold_nul())
            if uneven:  # only blank lines, which are left out
                chunk = [record for record in chunk if record]
                if not chunk:
                    continue
            yield chunk

    return header, chunks()


def _check_chunk(chunk: list[list[str]], before: int, width: int, *, nul: bool = False) -> None:
    """Walk a list of records (read after line ``before``) for the first too wide or too short one, or
    (``nul``) one holding a NUL character, and raise naming its line; blank lines are fine."""
    line = before + 1
    for record in chunk:
        if record and len(record) != width:
            raise ValidationFailed(
                f"Line {line} has {len(record)} cells; the header has {width}.",
                code="csv-row-width",
                line=line,
            )
        if nul and "\x00" in "".join(record):
            # The task input is stored as JSON, which cannot hold a NUL character on PostgreSQL.
            raise ValidationFailed(f"Line {line} holds a NUL character.", code="csv-nul-character", line=line)
        line += _lines_of(record)


def _flat(chunks: Iterator[list[list[str]]]) -> Iterator[list[str]]:
    for chunk in chunks:
        yield from chunk


def _malformed(exc: csv.Error, line: int) -> ValidationFailed:
    """The strict reader's complaint about the record starting on ``line``, in a requester's words."""
    if "unexpected end of data" in str(exc):
        return ValidationFailed(
            f"Line {line}: a quoted cell is never closed.", code="csv-unclosed-quote", line=line
        )
    if "expected after" in str(exc):
        return ValidationFailed(
            f"Line {line}: text follows the closing quote of a cell (quote the whole cell, and double "
            "each quote inside it).",
            code="csv-malformed",
            line=line,
        )
    return ValidationFailed(f"Line {line}: {exc}.", code="csv-malformed", line=line)


def preview_csv(stream: IO, fields: list[str], *, first: int) -> tuple[list[str], list[list[str]], int]:
    """Header, first ``first`` records and number of records of a CSV, every record checked as ingest
    checks them (a bad one raises): for a preview before the import. Streamed, so memory stays flat
    whatever the file's size."""
    header, chunks = _records(stream, fields)
    head, count = [], 0
    for chunk in chunks:
        if len(head) < first:
            head.extend(chunk[: first - len(head)])
        count += len(chunk)
    return header, head, count


def check_rows(rows: Iterable, fields: list[str]) -> list[dict]:
    checked = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValidationFailed(
                f"Item {index} is not a JSON object.", code="invalid-type", field=f"[{index}]"
            )
        if holds_nul(row):
            raise ValidationFailed(
                f"Item {index} holds a NUL character.", code="nul-character", field=f"[{index}]"
            )
        missing = [f for f in fields if f not in row]
        if missing:
            raise ValidationFailed(
                f"Item {index} lacks the template field '{missing[0]}'.",
                code="missing-field",
                field=f"[{index}].{missing[0]}",
            )
        checked.append(row)
    return checked


def _write_postgres(campaign: Campaign, inputs: Iterator[str], start: int) -> int:
    return task_rows_copy(
        campaign_id=campaign.pk, needed=campaign.results_per_task, inputs=inputs, start=start
    )


def _stage_postgres(campaign: Campaign, job: ImportJob, chunks: Iterator[list[list[str]]], start: int) -> int:
    counter = [0]
    copy_in(
        staging.BLOCK_COPY_SQL,
        staging.block_lines(chunks, campaign=campaign, import_job=job, start=start, counter=counter),
    )
    return counter[0]


def _write_batches(*, campaign: Campaign, rows: Iterator[dict], start: int) -> int:
    needed, position, batch = campaign.results_per_task, start, []
    for row in rows:
        batch.append(Task(campaign=campaign, position=position, input=row, results_needed=needed))
        position += 1
        if len(batch) >= BATCH_SIZE:
            Task.objects.bulk_create(batch)
            batch = []
    if batch:
        Task.objects.bulk_create(batch)
    return position - start


def _json_texts(rows: Iterable[dict]) -> Iterator[str]:
    for row in rows:
        yield _json(row)


def _next_position(campaign: Campaign) -> int:
    """The position after the campaign's last task, written or staged."""
    written = Task.objects.filter(campaign=campaign).aggregate(m=Max("position"))["m"] or 0
    staged = 0
    if campaign.tasks_staged:
        last = TaskBlock.objects.filter(campaign=campaign).order_by("-first_position").first()
        staged = last.first_position + last.count - 1 if last else 0
    return max(written, staged) + 1


def _schedule_write(campaign_id: int) -> None:
    """After the import's commit: hand the write to a Celery worker. A broker that cannot be reached only
    delays it (the sweep or the first reader writes the tasks), so it never fails the import."""
    try:
        write_staged_tasks.delay(campaign_id)
    except Exception:  # noqa: BLE001 - any broker failure; the data is committed and readers write it
        log.warning("Could not queue the write of staged tasks of campaign %s", campaign_id, exc_info=True)


@transaction.atomic
def _write(
    *,
    campaign: Campaign,
    write: Callable[[Campaign, ImportJob, int], int],
    header: list[str],
    created_by: User | None,
    filename: str,
    staged: bool = False,
    from_csv: bool = False,
) -> ImportJob:
    """Lock the campaign, ``write(campaign, import_job, first_position)`` its new tasks (the number
    written) and count them: in the campaign, its budget and the import."""
    campaign = campaign_qs_for_update().get(pk=campaign.pk)
    if not accepts_new_tasks(campaign.state):
        raise Conflict(f"Tasks cannot be added to a {campaign.state} campaign.", code="campaign-closed")
    job = ImportJob.objects.create(
        campaign=campaign, filename=filename, header=header, rows=0, created_by=created_by
    )
    count = write(campaign, job, _next_position(campaign))
    if not count:
        # Rolls back the import record too: an import of nothing is refused, not recorded.
        raise ValidationFailed(
            "There are no tasks to add: the CSV has no records after its header."
            if from_csv
            else "There are no tasks to add: the list is empty.",
            code="csv-no-records" if from_csv else "no-tasks",
            line=2 if from_csv else None,
        )
    campaign_budget_add_tasks(campaign=campaign, count=count, by=created_by)
    counts = {"tasks_count": F("tasks_count") + count}
    if staged:
        counts["tasks_staged"] = F("tasks_staged") + count
        transaction.on_commit(partial(_schedule_write, campaign.pk))
    Campaign.objects.filter(pk=campaign.pk).update(**counts)
    job.rows = count
    job.save(update_fields=["rows"])
    return job


def tasks_ingest_csv(
    *, campaign: Campaign, stream: IO, created_by: User | None = None, filename: str = ""
) -> ImportJob:
    """Add one task per CSV record. ``stream`` is any binary or text file-like object (a request, an
    uploaded file, an open file); it is read incrementally. Nothing is written if any record is bad.

    On PostgreSQL an import of at least ``settings.TASKS_STAGE_MIN_RECORDS`` records is staged
    (``tasks.staging``): its tasks are written right after the commit, before anything reads them."""
    header, chunks = _records(stream, campaign.project.template_fields)
    common = {
        "campaign": campaign,
        "header": header,
        "created_by": created_by,
        "filename": filename,
        "from_csv": True,
    }
    if connection.vendor != "postgresql":
        rows = (dict(zip(header, record, strict=True)) for record in _flat(chunks))
        return _write(
            write=lambda c, job, start: _write_batches(campaign=c, rows=rows, start=start), **common
        )
    # Read up to the threshold first (a few chunks at most) to know which way the import goes.
    first, count = [], 0
    for chunk in chunks:
        first.append(chunk)
        count += len(chunk)
        if count >= settings.TASKS_STAGE_MIN_RECORDS:
            break
    chunks = chain(first, chunks)
    if count < settings.TASKS_STAGE_MIN_RECORDS or not count:  # (a file of no records is never staged)
        inputs = csv_json_texts(header, _flat(chunks))
        return _write(write=lambda c, job, start: _write_postgres(c, inputs, start), **common)
    return _write(write=lambda c, job, start: _stage_postgres(c, job, chunks, start), staged=True, **common)


def tasks_ingest_rows(
    *, campaign: Campaign, rows: Iterable, created_by: User | None = None, filename: str = ""
) -> ImportJob:
    if not isinstance(rows, list):
        raise ValidationFailed("Tasks must be a JSON list of objects.", code="invalid-type")
    fields = campaign.project.template_fields
    checked = check_rows(rows, fields)
    header = list(dict.fromkeys(k for row in checked for k in row))

    def write(c: Campaign, job: ImportJob, start: int) -> int:
        if connection.vendor == "postgresql":
            return _write_postgres(c, _json_texts(checked), start)
        return _write_batches(campaign=c, rows=iter(checked), start=start)

    return _write(campaign=campaign, write=write, header=header, created_by=created_by, filename=filename)


@transaction.atomic
def campaign_create_with_csv(
    *,
    project: Project,
    created_by: User,
    name: str,
    stream,
    active: bool = True,
    publish: bool = True,
    **values,
) -> tuple[Campaign, ImportJob]:
    """Create a campaign, fill it from a CSV and publish it, all or nothing (a Turkle batch upload, the
    admin's batch upload).

    A restricted project's worker lists are copied, so the campaign starts open to the same people.
    With ``active=False`` the campaign is published but paused: visible as a batch, not yet offered.
    With ``publish=False`` it stays unpublished, its budget not yet frozen.
    """
    values.setdefault("restricted", project.restricted)
    campaign = campaign_create(project=project, created_by=created_by, name=name, **values)
    if campaign.restricted and project.restricted:
        campaign.worker_users.set(project.worker_users.all())
        campaign.worker_groups.set(project.worker_groups.all())
    job = tasks_ingest_csv(
        campaign=campaign, stream=stream, created_by=created_by, filename=values.get("filename", "")
    )
    if publish:
        campaign = campaign_set_active(campaign=campaign, active=active)
    return campaign, job
