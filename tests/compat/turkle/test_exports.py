"""The Turkle CSV row builders, without HTTP or a database."""

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

from compat.turkle.exports import (
    FIXED_COLUMNS,
    TIME_FORMAT,
    chunked,
    input_row,
    results_filename,
    results_header,
    results_row,
    turkle_time,
)
from crowdplatform.streaming import csv_lines

BATCH = {
    "project_id": 3,
    "title": "Image Contains",
    "creation_time": "Sun Nov 22 08:48:57 UTC 2026",
    "max_assignments": 2,
    "duration_s": 86400,
}


def test_turkle_time_is_mturks_format():
    assert turkle_time(datetime(2026, 11, 22, 8, 48, 57, tzinfo=UTC)) == "Sun Nov 22 08:48:57 UTC 2026"
    assert turkle_time(None) == ""


def test_turkle_time_matches_strftime_in_utc():
    # given a time in another zone
    value = datetime(2026, 3, 1, 23, 5, 9, tzinfo=timezone(timedelta(hours=-5)))

    # then
    assert turkle_time(value) == value.astimezone(UTC).strftime(TIME_FORMAT) == "Mon Mar 02 04:05:09 UTC 2026"


def test_header_puts_sorted_inputs_then_sorted_answers_then_username():
    assert results_header(["url", "object"], ["z", "also"]) == [
        *FIXED_COLUMNS,
        "Input.object",
        "Input.url",
        "Answer.also",
        "Answer.z",
        "Turkle.Username",
    ]
    assert FIXED_COLUMNS == [
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


def test_row_formats_times_work_time_lists_and_missing_values():
    # when
    row = results_row(
        batch=BATCH,
        assignment_id=11,
        task_id=7,
        worker_id=5,
        username="alice",
        accepted_at=datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC),
        submitted_at=datetime(2026, 11, 22, 12, 1, 30, 900000, tzinfo=UTC),
        answers={"also": ["person", "vehicle"], "contains": "=1+1"},
        task_input={"object": "a dog"},
        input_keys=["object", "url"],
        answer_keys=["also", "comment", "contains"],
    )

    # then
    line = "".join(csv_lines([row], quoting=csv.QUOTE_ALL, lineterminator="\n"))
    assert line == (
        '"7","3","Image Contains","Sun Nov 22 08:48:57 UTC 2026","2","86400","11","5",'
        '"Sun Nov 22 12:00:00 UTC 2026","Sun Nov 22 12:01:30 UTC 2026","90",'
        '"a dog","","[\'person\', \'vehicle\']","","=1+1","alice"\n'
    )


def test_input_row_follows_the_header():
    assert input_row({"b": "2", "a": "1"}, ["a", "b", "c"]) == ["1", "2", ""]


def test_results_filename_is_turkles():
    assert (
        results_filename(project_id=3, batch_id=9, filename="birds.csv")
        == "Project-3_Batch-9-birds_results.csv"
    )
    assert results_filename(project_id=3, batch_id=9, filename="") == "Project-3_Batch-9-_results"


def test_chunked_joins_lines_without_losing_any():
    lines = [f"{i}\n" for i in range(1000)]
    chunks = list(chunked(lines, size=100))
    assert "".join(chunks) == "".join(lines)
    assert all(len(c) < 110 for c in chunks)
    assert list(csv.reader(io.StringIO("".join(chunks))))[-1] == ["999"]
