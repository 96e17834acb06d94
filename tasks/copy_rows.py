"""Writing task rows with PostgreSQL's ``COPY ... FROM STDIN``, fed as the rows are made: the fast path of
ingest (``tasks.ingest``) and of writing staged imports (``tasks.staging``)."""

from collections.abc import Iterator
from json.encoder import encode_basestring

from django.db import connection

from .models import Task

# Passed to ``copy_expert`` by position: Django's debug cursor (DEBUG on) passes on no keyword arguments.
READ_SIZE = 1 << 16
TASK_COPY_SQL = (
    f"COPY {Task._meta.db_table} (campaign_id, position, input, results_needed, is_open) FROM STDIN"
)


class CopySource:
    """A file-like object that ``copy_expert`` reads: pieces of COPY text, made as the records are parsed.

    A bad record raises inside ``read``; the error is kept because the driver reports a failed COPY with
    an error of its own.
    """

    def __init__(self, pieces: Iterator[bytes]):
        self._pieces = pieces
        self.error: BaseException | None = None

    def read(self, size: int = READ_SIZE) -> bytes:
        # The driver sends whatever it gets; an empty piece is the end.
        try:
            return next(self._pieces, b"")
        except BaseException as exc:
            self.error = exc
            raise


def encoded(lines: Iterator[str]) -> Iterator[bytes]:
    """COPY text lines in pieces of about ``READ_SIZE`` characters, escaped and encoded at once. Only the
    JSON holds backslashes (the other columns are numbers and a boolean), and JSON text escapes every
    control character, so backslashes are all that COPY would misread."""
    parts, length = [], 0
    for line in lines:
        parts.append(line)
        length += len(line)
        if length >= READ_SIZE:
            yield "".join(parts).replace("\\", "\\\\").encode()
            parts, length = [], 0
    if parts:
        yield "".join(parts).replace("\\", "\\\\").encode()


def task_copy_lines(
    rows: Iterator[str], *, campaign_id: int, start: int, needed: int, counter: list[int]
) -> Iterator[str]:
    """COPY text lines of task rows, backslashes not yet doubled (``_encoded`` does it)."""
    tail = f"\t{needed}\tt\n"
    position = start
    for input_json in rows:
        yield f"{campaign_id}\t{position}\t{input_json}{tail}"
        position += 1
    counter[0] = position - start


def copy_in(sql: str, pieces: Iterator[bytes]) -> None:
    """Feed ``pieces`` to ``sql`` (a ``COPY ... FROM STDIN``). Every trigger and foreign key stays on: each
    row is checked at commit, whatever the database role."""
    source = CopySource(pieces)
    with connection.cursor() as cursor:
        try:
            cursor.copy_expert(sql, source, READ_SIZE)
        except Exception:
            if source.error is not None:
                raise source.error from None
            raise
    if source.error is not None:
        raise source.error


def csv_json_texts(header: list[str], records: Iterator[list[str]]) -> Iterator[str]:
    # Every CSV value is a string: build the JSON object from pre-encoded keys, several times faster than
    # a generic encoder on a million rows. No spaces after the separators: jsonb stores the same value, and
    # PostgreSQL has fewer bytes to read.
    keys = ["{" + encode_basestring(header[0]) + ":"] + ["," + encode_basestring(h) + ":" for h in header[1:]]
    for record in records:
        yield "".join([k + encode_basestring(v) for k, v in zip(keys, record, strict=True)]) + "}"


def task_copy_text(
    header: list[str], records: list[list[str]], *, campaign_id: int, start: int, needed: int
) -> str:
    """COPY text lines of one task per record (CSV values in ``header``'s order) from position ``start``,
    backslashes not yet doubled: the same lines as ``task_copy_lines`` over ``csv_json_texts``, made a
    list of records at a time from one format (campaign, keys, results needed and ``is_open`` already in
    it), which takes about a third less of Python's time on a million records. A record of another width
    than the header raises ``TypeError``."""
    keys = ["{" + encode_basestring(header[0]) + ":"] + ["," + encode_basestring(h) + ":" for h in header[1:]]
    line = f"{campaign_id}\t%d\t" + "".join(k.replace("%", "%%") + "%s" for k in keys) + f"}}\t{needed}\tt\n"
    encode = encode_basestring
    return "".join(
        [line % (position, *map(encode, record)) for position, record in enumerate(records, start)]
    )


def task_rows_copy(*, campaign_id: int, needed: int, inputs: Iterator[str], start: int) -> int:
    """Write one task per JSON text in ``inputs``, from position ``start``; the number written."""
    counter = [0]
    lines = task_copy_lines(inputs, campaign_id=campaign_id, start=start, needed=needed, counter=counter)
    # created_at is left to the column's default (the statement's time): parsing a timestamp per row is
    # about a sixth of the database's work in this COPY.
    copy_in(TASK_COPY_SQL, encoded(lines))
    return counter[0]
