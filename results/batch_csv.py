"""A batch's input and results CSV files in Turkle's layout, byte for byte, streamed from a server-side cursor.

The admin's downloads and the Turkle API (``compat.turkle``) serve these same files: the layout lives here,
in the engine, so that no interface needs another interface's code.

The row-building functions are pure; ``results_csv_lines``/``input_csv_lines`` feed them from the
database in chunks, so memory stays flat however many rows a batch has. Cells are written as they are
(no neutralising of formula-looking values): scripts that read Turkle's files must read ours unchanged.
"""

import csv
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from campaigns.models import Campaign
from campaigns.selectors import campaign_answer_keys, campaign_input_keys, campaign_submitted_work
from crowdplatform.streaming import csv_lines
from tasks.models import Task
from tasks.staging import tasks_ensure_written

TIME_FORMAT = "%a %b %d %H:%M:%S %Z %Y"
FIXED_COLUMNS = [
    "HITId",
    "HITTypeId",
    "Title",
    "CreationTime",
    "MaxAssignments",
    "AssignmentDurationInSeconds",
    "AssignmentId",
    "WorkerId",
    "AcceptTime",
    "SubmitTime",
    "WorkTimeInSeconds",
]
CHUNK_ROWS = 2000
CHUNK_BYTES = 1 << 16


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def turkle_time(value: datetime | None) -> str:
    """``TIME_FORMAT`` in UTC, spelled out by hand: ``strftime`` is the slowest step of a big export."""
    if value is None:
        return ""
    v = value.astimezone(UTC)
    return (
        f"{_DAYS[v.weekday()]} {_MONTHS[v.month - 1]} {v.day:02d} "
        f"{v.hour:02d}:{v.minute:02d}:{v.second:02d} UTC {v.year}"
    )


def results_header(input_keys: Iterable[str], answer_keys: Iterable[str]) -> list[str]:
    return (
        FIXED_COLUMNS
        + [f"Input.{k}" for k in sorted(input_keys)]
        + [f"Answer.{k}" for k in sorted(answer_keys)]
        + ["Turkle.Username"]
    )


def results_row(
    *,
    batch: dict,
    assignment_id: int,
    task_id: int,
    worker_id: int | None,
    username: str | None,
    accepted_at: datetime,
    submitted_at: datetime | None,
    answers: dict,
    task_input: dict,
    input_keys: list[str],
    answer_keys: list[str],
) -> list:
    """One results line. ``batch`` holds the per-batch columns (see ``batch_columns``); ``input_keys``
    and ``answer_keys`` must already be sorted. A multi-valued answer is written as Turkle writes it:
    the list's ``str()``."""
    work_time = int((submitted_at - accepted_at).total_seconds()) if submitted_at else ""
    task_input = task_input or {}
    answers = answers or {}
    return [
        task_id,
        batch["project_id"],
        batch["title"],
        batch["creation_time"],
        batch["max_assignments"],
        batch["duration_s"],
        assignment_id,
        worker_id,
        turkle_time(accepted_at),
        turkle_time(submitted_at),
        work_time,
        *[task_input.get(k, "") for k in input_keys],
        *[answers.get(k, "") for k in answer_keys],
        username or "",
    ]


def batch_columns(campaign: Campaign) -> dict:
    return {
        "project_id": campaign.project_id,
        "title": campaign.project.name,
        "creation_time": turkle_time(campaign.created_at),
        "max_assignments": campaign.results_per_task,
        "duration_s": campaign.time_allowed_s,
    }


def input_row(task_input: dict, keys: list[str]) -> list:
    task_input = task_input or {}
    return [task_input.get(k, "") for k in keys]


def results_filename(*, project_id: int, batch_id: int, filename: str) -> str:
    """Turkle's name for a results file: ``Project-<p>_Batch-<b>-<name>_results<ext>``."""
    stem, ext = os.path.splitext(os.path.basename(filename or ""))
    return f"Project-{project_id}_Batch-{batch_id}-{stem}_results{ext}"


def _lines(rows: Iterable[list]) -> Iterator[str]:
    return csv_lines(rows, quoting=csv.QUOTE_ALL, lineterminator="\n")


def chunked(lines: Iterable[str], size: int = CHUNK_BYTES) -> Iterator[str]:
    """Group small lines into pieces of about ``size`` characters: fewer, larger writes to the client."""
    buffer, length = [], 0
    for line in lines:
        buffer.append(line)
        length += len(line)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)


def results_csv_lines(campaign: Campaign) -> Iterator[str]:
    """The results CSV: one line per submitted assignment, in the order the work was accepted."""
    input_keys = sorted(campaign_input_keys(campaign=campaign))
    answer_keys = sorted(campaign_answer_keys(campaign=campaign))
    batch = batch_columns(campaign)
    values = campaign_submitted_work(campaign=campaign).values_list(
        "pk",
        "task_id",
        "worker_id",
        "worker__username",
        "accepted_at",
        "submitted_at",
        "answers",
        "task__input",
    )

    def rows():
        yield results_header(input_keys, answer_keys)
        for (
            pk,
            task_id,
            worker_id,
            username,
            accepted_at,
            submitted_at,
            answers,
            task_input,
        ) in values.iterator(chunk_size=CHUNK_ROWS):
            yield results_row(
                batch=batch,
                assignment_id=pk,
                task_id=task_id,
                worker_id=worker_id,
                username=username,
                accepted_at=accepted_at,
                submitted_at=submitted_at,
                answers=answers,
                task_input=task_input,
                input_keys=input_keys,
                answer_keys=answer_keys,
            )

    return chunked(_lines(rows()))


def input_csv_lines(campaign: Campaign) -> Iterator[str]:
    """The input CSV rebuilt from the tasks, in task order; empty when the batch has no tasks (as Turkle)."""
    tasks_ensure_written(campaign=campaign)
    keys = campaign_input_keys(campaign=campaign)
    tasks = Task.objects.filter(campaign=campaign).order_by("position").values_list("input", flat=True)

    def rows():
        if not tasks.exists():
            return
        yield keys
        for task_input in tasks.iterator(chunk_size=CHUNK_ROWS):
            yield input_row(task_input, keys)

    return chunked(_lines(rows()))
