import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignState
from crowdplatform.errors import Conflict, ValidationFailed
from projects.templating import template_fields
from tasks import ingest
from tasks.copy_rows import task_rows_copy
from tasks.ingest import preview_csv, tasks_ingest_csv, tasks_ingest_rows
from tasks.models import ImportJob, Task, TaskBlock
from tasks.staging import tasks_ensure_written
from tests.factories import CampaignFactory, ProjectFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["rows", "rows, read 2 at a time", "staged, read 2 at a time"])
def ingest_mode(request, settings, monkeypatch):
    """Every test here runs with CSV written straight as task rows, also read and checked two records at
    a time (so that records, errors and line numbers fall across lists), and, on PostgreSQL, staged in
    blocks of two (``tasks.staging``) and written as tasks when first read."""
    if "2 at a time" in request.param:
        monkeypatch.setattr(ingest, "CHUNK_RECORDS", 2)
    if request.param.startswith("staged"):
        if connection.vendor != "postgresql":
            pytest.skip("staging is PostgreSQL's")
        settings.TASKS_STAGE_MIN_RECORDS = 0
    return request.param


def _written(campaign):
    """The campaign's tasks as a reader sees them: staged ones are written first."""
    campaign.refresh_from_db()
    tasks_ensure_written(campaign=campaign)
    return Task.objects.filter(campaign=campaign)


# Copies of the shared Turkle examples (quotes, commas, non-ASCII, a formula, a multi-line value).
EXAMPLES = Path(__file__).resolve().parent / "ingest_examples"


def _campaign(template: str, **kwargs) -> Campaign:
    # The examples explain "${field}" in an HTML comment; only the placeholders in the markup count here.
    template = re.sub(r"<!--.*?-->", "", template, flags=re.S)
    project = ProjectFactory(html_template=template, template_fields=template_fields(template))
    return CampaignFactory(project=project, **kwargs)


def _image_campaign(**kwargs) -> Campaign:
    return _campaign((EXAMPLES / "image_contains.html").read_text(), **kwargs)


def _inputs(campaign):
    return list(_written(campaign).order_by("position").values_list("position", "input"))


def _nothing_written(campaign):
    campaign.refresh_from_db()
    return (
        Task.objects.filter(campaign=campaign).count() == 0
        and not TaskBlock.objects.filter(campaign=campaign).exists()
        and campaign.tasks_count == campaign.tasks_staged == 0
        and not ImportJob.objects.filter(campaign=campaign).exists()
    )


def test_ingest_streams_quotes_commas_non_ascii_and_a_formula_from_a_binary_file():
    # given a campaign whose template uses image_url and object
    campaign = _image_campaign(results_per_task=3)
    # when the example CSV is ingested from a binary file
    with open(EXAMPLES / "image_contains.csv", "rb") as f:
        job = tasks_ingest_csv(campaign=campaign, stream=f, filename="image_contains.csv")
    # then one task per record is written in order with the values exactly as in the file
    rows = _inputs(campaign)
    assert [p for p, _ in rows] == list(range(1, 8))
    assert [i["object"] for _, i in rows] == [
        "a bicycle",
        "a dog",
        "a kettle, or a teapot",
        'a boat called "Nora"',
        "ein Fahrrad — ü é ß 漢字",
        '=HYPERLINK("https://evil.example","x")',
        "<b>bold</b> & <i>co</i>",
    ]
    assert rows[0][1] == {"image_url": "https://images.example.org/street-001.jpg", "object": "a bicycle"}
    assert set(_written(campaign).values_list("results_needed", "is_open")) == {(3, True)}
    campaign.refresh_from_db()
    assert campaign.tasks_count == 7
    assert (job.rows, job.header, job.filename) == (7, ["image_url", "object"], "image_contains.csv")
    assert ImportJob.objects.filter(campaign=campaign).count() == 1


def test_ingest_keeps_a_quoted_line_break_and_strips_a_byte_order_mark():
    # given the translate example with a BOM in front and a value spanning two lines
    campaign = _campaign((EXAMPLES / "translate.html").read_text())
    data = b"\xef\xbb\xbf" + (EXAMPLES / "translate.csv").read_bytes()
    # when it is ingested
    job = tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(data))
    # then the header is clean and the multi-line value is kept whole
    assert job.header == ["source_id", "source", "target_language"]
    rows = _inputs(campaign)
    assert [i["source_id"] for _, i in rows] == ["s1", "s2", "s3"]
    assert rows[1][1]["source"] == "A line\nthat spans two lines"


def test_ingest_accepts_a_text_stream_and_appends_after_existing_tasks():
    # given a campaign that already has a task at position 1
    campaign = _campaign("<p>${text}</p>")
    TaskFactory(campaign=campaign, position=1)
    # when a text stream with a backslash and a tab is ingested
    job = tasks_ingest_csv(campaign=campaign, stream=io.StringIO('text\n"a\\b\tc"\nplain\n'))
    # then the new tasks follow the existing one, values intact
    assert job.rows == 2
    assert _inputs(campaign)[1:] == [(2, {"text": "a\\b\tc"}), (3, {"text": "plain"})]


def test_bad_header_names_the_missing_field_and_writes_nothing():
    # given the image campaign and a CSV without the "object" column
    campaign = _image_campaign()
    # when it is ingested
    with open(EXAMPLES / "image_contains_bad_header.csv", "rb") as f, pytest.raises(ValidationFailed) as err:
        tasks_ingest_csv(campaign=campaign, stream=f)
    # then the error names the field and line 1, and nothing is written
    assert err.value.as_item() == {
        "code": "csv-missing-field",
        "message": "The header does not supply the template field 'object'.",
        "field": "object",
        "line": 1,
    }
    assert _nothing_written(campaign)


def test_bad_row_names_its_line_and_writes_nothing():
    # given the image campaign and a CSV whose line 3 has an extra cell after a good line 2
    campaign = _image_campaign()
    # when it is ingested
    with open(EXAMPLES / "image_contains_bad_row.csv", "rb") as f, pytest.raises(ValidationFailed) as err:
        tasks_ingest_csv(campaign=campaign, stream=f)
    # then the error names line 3, and the good row before it is not written either
    assert err.value.as_item() == {
        "code": "csv-row-width",
        "message": "Line 3 has 3 cells; the header has 2.",
        "line": 3,
    }
    assert _nothing_written(campaign)


def test_bad_row_line_is_where_the_record_starts_after_a_multi_line_value():
    # given a CSV whose second record spans lines 3-4 and whose third record (line 5) is too short
    campaign = _campaign("<p>${a}${b}</p>")
    data = 'a,b\n1,one\n2,"two\nlines"\n3\n'
    # when it is ingested
    with pytest.raises(ValidationFailed) as err:
        tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(data.encode()))
    # then line 5 is named and nothing is written
    assert (err.value.code, err.value.line) == ("csv-row-width", 5)
    assert _nothing_written(campaign)


def test_a_bad_row_after_many_good_ones_rolls_everything_back():
    # given a CSV of several batches worth of good rows and one bad row at the end
    campaign = _campaign("<p>${text}</p>")
    good = "".join(f"row {i}\n" for i in range(12000))
    data = f"text\n{good}bad,row\n"
    # when it is ingested
    with pytest.raises(ValidationFailed) as err:
        tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(data.encode()))
    # then the bad line is named and nothing at all is written
    assert err.value.line == 12002
    assert _nothing_written(campaign)


def test_non_utf8_input_is_refused_with_its_line():
    # given a Latin-1 file
    campaign = _campaign("<p>${text}</p>")
    data = "text\nok\ncaf\xe9\n".encode("latin-1")
    # when it is ingested
    with pytest.raises(ValidationFailed) as err:
        tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(data))
    # then it is refused as not UTF-8 and nothing is written
    assert err.value.code == "csv-encoding"
    assert _nothing_written(campaign)


def test_empty_file_and_duplicate_columns_are_refused():
    campaign = _campaign("<p>${text}</p>")
    with pytest.raises(ValidationFailed) as empty:
        tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(b""))
    with pytest.raises(ValidationFailed) as duplicate:
        tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(b"text,text\na,b\n"))
    assert (empty.value.code, empty.value.line) == ("csv-empty", 1)
    assert (duplicate.value.code, duplicate.value.field) == ("csv-duplicate-column", "text")
    assert _nothing_written(campaign)


def test_blank_lines_are_skipped_and_counted_for_line_numbers():
    campaign = _campaign("<p>${a}</p>")
    with pytest.raises(ValidationFailed) as err:
        tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(b"a\n1\n\n2,extra\n"))
    assert err.value.line == 4
    job = tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(b"a\n1\n\n2\n"))
    assert job.rows == 2


def test_a_closed_campaign_takes_no_tasks():
    campaign = _campaign("<p>${a}</p>", state=CampaignState.FINISHED)
    with pytest.raises(Conflict) as err:
        tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(b"a\n1\n"))
    assert err.value.code == "campaign-closed"
    assert _nothing_written(campaign)


def test_ingest_rows_writes_json_objects_in_bulk():
    campaign = _campaign("<p>${a}</p>", results_per_task=2)
    job = tasks_ingest_rows(campaign=campaign, rows=[{"a": "x\\y", "n": 1}, {"a": "ü", "b": [1, 2]}])
    assert (job.rows, job.header) == (2, ["a", "n", "b"])
    assert _inputs(campaign) == [(1, {"a": "x\\y", "n": 1}), (2, {"a": "ü", "b": [1, 2]})]
    campaign.refresh_from_db()
    assert campaign.tasks_count == 2


def test_ingest_rows_names_the_item_missing_a_field():
    campaign = _campaign("<p>${a}</p>")
    with pytest.raises(ValidationFailed) as err:
        tasks_ingest_rows(campaign=campaign, rows=[{"a": 1}, {"b": 2}])
    assert (err.value.code, err.value.field) == ("missing-field", "[1].a")
    assert _nothing_written(campaign)


def test_a_preview_holds_the_header_the_first_records_and_the_count():
    # given a CSV of five records
    data = b"a,b\n1,x\n2,y\n\n3,z\n4,w\n5,v\n"
    # when it is previewed for its first three
    header, first, count = preview_csv(io.BytesIO(data), ["a"], first=3)
    # then those come back with the count of all (the blank line is none)
    assert (header, first, count) == (["a", "b"], [["1", "x"], ["2", "y"], ["3", "z"]], 5)


def test_a_preview_checks_every_record():
    with pytest.raises(ValidationFailed) as err:
        preview_csv(io.BytesIO(b"a,b\n1,x\n2,y\n3\n"), ["a"], first=1)
    assert (err.value.code, err.value.line) == ("csv-row-width", 4)


def test_an_unquoted_formula_with_quotes_is_refused_at_its_line():
    # given the shared example's formula line as written there: unquoted, so its comma splits the cell and
    # its second part starts a quoted cell that text follows
    campaign = _image_campaign()
    data = 'image_url,object\nu1,a bicycle\nu2,=HYPERLINK("https://evil.example","x")\n'
    # when it is ingested
    with pytest.raises(ValidationFailed) as err:
        tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(data.encode()))
    # then line 3 is refused, saying what is wrong with it
    assert (err.value.code, err.value.line) == ("csv-malformed", 3)
    assert "text follows the closing quote" in err.value.message
    assert _nothing_written(campaign)


def test_a_quote_left_open_does_not_swallow_the_rest_of_the_file():
    # given a record whose quoted cell is never closed: without a strict reader, it would take every later
    # line into that one cell
    campaign = _image_campaign()
    data = 'image_url,object\nu1,"a bicycle\nu2,a dog\nu3,a cat\n'
    # when it is ingested
    with pytest.raises(ValidationFailed) as err:
        tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(data.encode()))
    # then the line where that record starts is named, and nothing is written
    assert (err.value.code, err.value.line) == ("csv-unclosed-quote", 2)
    assert _nothing_written(campaign)


def test_values_that_look_like_json_separators_keep_their_exact_text():
    # given values with '","', escaped quotes, a trailing backslash, empty cells and a non-ASCII header
    campaign = _campaign("<p>${a}${b}</p>")
    tricky = ['x","y', '\\",\\"', "ends\\", "", '"', "], [", "tab\tand\nline"]
    lines = [f"{_quoted(v)},{_quoted(w)}" for v, w in zip(tricky, reversed(tricky), strict=True)]
    data = "a,b,é ü\n" + "".join(f"{line},{i}\n" for i, line in enumerate(lines))
    # when it is ingested
    job = tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(data.encode()))
    # then every value comes back exactly as written
    assert job.rows == len(tricky)
    assert [i for _, i in _inputs(campaign)] == [
        {"a": v, "b": w, "é ü": str(i)} for i, (v, w) in enumerate(zip(tricky, reversed(tricky), strict=True))
    ]


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def test_bulk_ingested_tasks_get_a_creation_time():
    # given a campaign
    campaign = _campaign("<p>${a}</p>")
    before = timezone.now()
    # when a CSV is ingested
    tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(b"a\n1\n2\n"))
    # then each task has a creation time from this ingest
    times = list(_written(campaign).values_list("created_at", flat=True))
    assert len(times) == 2
    assert all(before - timedelta(seconds=5) <= t <= timezone.now() for t in times)


def test_a_bad_row_names_its_line_after_several_multi_line_values_and_blank_lines():
    # given multi-line values (one with CRLF) and blank lines, and a short record starting on line 9
    campaign = _campaign("<p>${a}${b}</p>")
    data = 'a,b\n1,"one\ntwo"\n\n2,x\n3,"th\r\nree"\n\n4\n5,y\n'
    # when it is ingested
    with pytest.raises(ValidationFailed) as err:
        tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(data.encode()))
    # then line 9 is named and nothing is written
    assert err.value.as_item() == {
        "code": "csv-row-width",
        "message": "Line 9 has 1 cells; the header has 2.",
        "line": 9,
    }
    assert _nothing_written(campaign)


def test_leading_trailing_and_repeated_blank_lines_are_skipped():
    # given blank lines before, between and after the records
    campaign = _campaign("<p>${a}</p>")
    data = b"a\n\n1\n2\n\n\n3\n4\n\n5\n\n"
    # when it is ingested
    job = tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(data))
    # then every record is a task, in order
    assert job.rows == 5
    assert [i["a"] for _, i in _inputs(campaign)] == ["1", "2", "3", "4", "5"]


def test_a_bad_row_is_reported_before_a_later_undecodable_line():
    # given a short record on line 3 and, further on, bytes that are not UTF-8
    campaign = _campaign("<p>${a}${b}</p>")
    data = b"a,b\n1,x\n2\n3,y\n4,caf\xe9\n"
    # when it is ingested through a reader that decodes one byte at a time
    with pytest.raises(ValidationFailed) as err:
        tasks_ingest_csv(campaign=campaign, stream=io.TextIOWrapper(_OneByte(data), encoding="utf-8"))
    # then the first fault in the file is the one reported
    assert (err.value.code, err.value.line) == ("csv-row-width", 3)
    assert _nothing_written(campaign)


def test_an_undecodable_line_after_a_multi_line_value_names_the_line_after_the_last_good_record():
    # given a record spanning lines 2-3, a good line 4, and undecodable bytes on line 5
    campaign = _campaign("<p>${a}</p>")
    data = b'a\n"one\ntwo"\nok\ncaf\xe9\n'
    # when it is ingested through a reader that decodes one byte at a time
    with pytest.raises(ValidationFailed) as err:
        tasks_ingest_csv(campaign=campaign, stream=io.TextIOWrapper(_OneByte(data), encoding="utf-8"))
    # then line 5 is named and nothing is written
    assert err.value.as_item() == {
        "code": "csv-encoding",
        "message": "Line 5: the CSV is not UTF-8 text.",
        "line": 5,
    }
    assert _nothing_written(campaign)


class _OneByte(io.RawIOBase):
    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        byte = self._data.read(1)
        buffer[: len(byte)] = byte
        return len(byte)


@pytest.mark.postgres
def test_the_copy_of_task_rows_keeps_every_foreign_key_check_whatever_the_role():
    # given the test database's owner, a superuser, who could switch triggers off
    campaign = _campaign("<p>${a}</p>")
    tasks_ingest_csv(campaign=campaign, stream=io.BytesIO(b"a\n1\n2\n"))
    assert _written(campaign).count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    # when the COPY path writes a task naming a campaign that does not exist
    with pytest.raises(IntegrityError), transaction.atomic():
        task_rows_copy(campaign_id=campaign.pk + 10_000, needed=1, inputs=iter(['{"a":"x"}']), start=1)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # then the foreign key refused it: nothing of it stays
    assert not Task.objects.filter(campaign_id=campaign.pk + 10_000).exists()


def test_no_module_switches_the_replication_role_off():
    # Integrity never depends on the database role: no trigger or foreign key is ever switched off.
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("accounts", "projects", "campaigns", "tasks", "results", "crowdplatform", "bench")
        for path in (root / app).rglob("*.py")
        if "session_replication_role" in path.read_text()
    ]
    assert offenders == []
