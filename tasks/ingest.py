"""Adding tasks to a campaign from CSV or from a JSON list: the one path used by every API surface.

All or nothing: every row is checked before anything is written, and the rows are written in bulk in
one transaction. Errors name the line (CSV, 1-based, counting the header as line 1) or the item index.
"""

import csv
import io
from collections.abc import Iterable
from typing import IO

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Max

from campaigns.lifecycle import accepts_new_tasks
from campaigns.models import Campaign
from campaigns.services import campaign_qs_for_update
from crowdplatform.errors import Conflict, ValidationFailed

from .models import ImportJob, Task

BATCH_SIZE = 5000


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


def _text_stream(stream: IO) -> IO[str]:
    if isinstance(stream, io.TextIOBase):
        return stream
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def parse_csv(stream: IO, fields: list[str]) -> tuple[list[str], list[dict]]:
    """Header and rows of a CSV, checked against the template fields and for row width."""
    reader = csv.reader(_text_stream(stream))
    try:
        header = next(reader, [])
        _check_header(header, fields)
        rows = []
        for record in reader:
            if not record:
                continue
            if len(record) != len(header):
                raise ValidationFailed(
                    f"Line {reader.line_num} has {len(record)} cells; the header has {len(header)}.",
                    code="csv-row-width",
                    line=reader.line_num,
                )
            rows.append(dict(zip(header, record, strict=True)))
    except UnicodeDecodeError as exc:
        raise ValidationFailed("The CSV is not UTF-8 text.", code="csv-encoding") from exc
    except csv.Error as exc:
        raise ValidationFailed(
            f"Line {reader.line_num}: {exc}.", code="csv-malformed", line=reader.line_num
        ) from exc
    return header, rows


def check_rows(rows: Iterable, fields: list[str]) -> list[dict]:
    checked = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValidationFailed(
                f"Item {index} is not a JSON object.", code="invalid-type", field=f"[{index}]"
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


@transaction.atomic
def _write(
    *, campaign: Campaign, rows: list[dict], header: list[str], created_by: User | None, filename: str
) -> ImportJob:
    campaign = campaign_qs_for_update().get(pk=campaign.pk)
    if not accepts_new_tasks(campaign.state):
        raise Conflict(f"Tasks cannot be added to a {campaign.state} campaign.", code="campaign-closed")
    start = (Task.objects.filter(campaign=campaign).aggregate(m=Max("position"))["m"] or 0) + 1
    needed = campaign.results_per_task
    for offset in range(0, len(rows), BATCH_SIZE):
        Task.objects.bulk_create(
            Task(campaign=campaign, position=start + offset + i, input=row, results_needed=needed)
            for i, row in enumerate(rows[offset : offset + BATCH_SIZE])
        )
    Campaign.objects.filter(pk=campaign.pk).update(tasks_count=F("tasks_count") + len(rows))
    return ImportJob.objects.create(
        campaign=campaign, filename=filename, header=header, rows=len(rows), created_by=created_by
    )


def tasks_ingest_csv(
    *, campaign: Campaign, stream: IO, created_by: User | None = None, filename: str = ""
) -> ImportJob:
    header, rows = parse_csv(stream, campaign.project.template_fields)
    return _write(campaign=campaign, rows=rows, header=header, created_by=created_by, filename=filename)


def tasks_ingest_rows(
    *, campaign: Campaign, rows: Iterable, created_by: User | None = None, filename: str = ""
) -> ImportJob:
    if not isinstance(rows, list):
        raise ValidationFailed("Tasks must be a JSON list of objects.", code="invalid-type")
    fields = campaign.project.template_fields
    checked = check_rows(rows, fields)
    header = list(dict.fromkeys(k for row in checked for k in row))
    return _write(campaign=campaign, rows=checked, header=header, created_by=created_by, filename=filename)
