"""Streaming an export: a server-side cursor read in chunks, lines gathered into writes, and the output of
``COPY ... TO STDOUT`` pulled chunk by chunk through a thread with its own connection."""

import queue
import threading
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet

CHUNK_ROWS = 5000
CHUNK_CHARS = 1 << 16


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
                cursor.copy_expert(sql, sink, CHUNK_CHARS)  # by position: the debug cursor passes no keywords
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
