"""The results exports of a campaign of jobs: per screen its times, per interactive component its result.

CSV columns after the fixed ones: ``job_id``, then for each screen place ``s<place>.startedAt``,
``s<place>.completedAt`` and ``s<place>.c<index>.<key>`` (place from 1, component index from 0), over
every job of the campaign. JSON Lines add ``job_id`` and ``taskResults`` (the seed's result shape) to
each line. Rows stream from a server-side cursor, as the other exports do.
"""

import csv
import json
from collections.abc import Iterator
from itertools import islice

from campaigns.models import Campaign
from projects.selectors import job_screens
from tasks.jobs import job_answer_columns, job_task_results
from tasks.models import Task

from .exports import (
    CHUNK_ROWS,
    FIXED_COLUMNS,
    FIXED_VALUES,
    _cell,
    _chunked,
    _exported,
    _iso,
    _Line,
    _neutral,
    _streamed,
)


def publishes_jobs(campaign: Campaign) -> bool:
    return Task.objects.filter(campaign=campaign, job__isnull=False).exists()


def _screens_by_job(campaign: Campaign) -> dict[int, list]:
    ids = (
        Task.objects.filter(campaign=campaign, job__isnull=False)
        .order_by("position")
        .values_list("job_id", flat=True)
    )
    return {job_id: job_screens(job_id=job_id) for job_id in dict.fromkeys(ids)}


def _columns(screens_by_job: dict[int, list]) -> list[str]:
    columns: dict[str, None] = {}
    for job_id, screens in screens_by_job.items():
        for place in range(1, len(screens) + 1):
            columns.update(dict.fromkeys([f"s{place}.startedAt", f"s{place}.completedAt"]))
        columns.update(dict.fromkeys(job_answer_columns(job_id=job_id, answers={}, screens=screens)))
    return sorted(columns, key=lambda c: (int(c.split(".")[0][1:]), c.count(".") > 1, c))


def _flat(job_id: int, answers: dict, screens: list) -> dict:
    row = job_answer_columns(job_id=job_id, answers=answers, screens=screens)
    given = answers.get("screens", []) if isinstance(answers, dict) else []
    for place, entry in enumerate(given, 1):
        if isinstance(entry, dict):
            row[f"s{place}.startedAt"] = entry.get("startedAt")
            row[f"s{place}.completedAt"] = entry.get("completedAt")
    return row


def job_results_csv_lines(campaign: Campaign) -> Iterator[str]:
    screens_by_job = _screens_by_job(campaign)
    columns = _columns(screens_by_job)
    writer = csv.writer(_Line(), lineterminator="\r\n")

    def line(row: list) -> str:
        return writer.writerow(row)[:-2] + "\n"

    def rows() -> Iterator[str]:
        for aid, tid, position, worker, state, accepted, submitted, quality, job_id, answers in _streamed(
            _exported(campaign), *FIXED_VALUES, "task__job_id", "answers"
        ):
            screens = screens_by_job.get(job_id) or job_screens(job_id=job_id)
            flat = _flat(job_id, answers, screens)
            yield line(
                [
                    aid,
                    tid,
                    position,
                    _neutral(worker),
                    state,
                    _iso(accepted),
                    _iso(submitted),
                    quality,
                    job_id,
                    *(_cell(flat.get(c)) for c in columns),
                ]
            )

    def chunks() -> Iterator[str]:
        yield line([*FIXED_COLUMNS, "job_id", *columns])
        found = rows()
        while batch := list(islice(found, CHUNK_ROWS)):
            yield "".join(batch)

    return chunks()


def job_results_jsonl_lines(campaign: Campaign) -> Iterator[str]:
    screens_by_job = _screens_by_job(campaign)
    encode = json.JSONEncoder(ensure_ascii=False).encode

    def lines() -> Iterator[str]:
        for aid, tid, position, worker, state, accepted, submitted, quality, job_id, answers in _streamed(
            _exported(campaign), *FIXED_VALUES, "task__job_id", "answers"
        ):
            screens = screens_by_job.get(job_id) or job_screens(job_id=job_id)
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
                        "job_id": job_id,
                        "answers": answers,
                        "taskResults": job_task_results(job_id=job_id, answers=answers, screens=screens),
                    }
                )
                + "\n"
            )

    return _chunked(lines())
