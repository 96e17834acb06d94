"""The native results as JSON Lines: one object per assignment, values kept as they are."""

import json
from collections.abc import Iterator
from json.encoder import encode_basestring

from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from campaigns.models import Campaign

from .columns import FIXED_VALUES, _exported, _iso, _IsoUtc
from .streaming import _chunked, _streamed


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
    from ..job_exports import job_results_jsonl_lines, publishes_jobs  # (it builds on this package)

    if publishes_jobs(campaign):
        return job_results_jsonl_lines(campaign)
    return _chunked(
        _jsonl_postgres(campaign) if connection.vendor == "postgresql" else _jsonl_python(campaign)
    )
