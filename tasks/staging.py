"""Large CSV imports on PostgreSQL: records stored in blocks when they arrive, written as tasks right after.

Writing a million task rows (each with its ``jsonb`` input and three index entries) costs several times
what reading the file does. An import of at least ``settings.TASKS_STAGE_MIN_RECORDS`` records therefore
stores its checked records a few thousand per ``TaskBlock`` row, in the same all-or-nothing transaction
that counts them in the campaign (``tasks_count`` and ``tasks_staged``) and holds their money, and is
answered then. The tasks are written from the blocks:

- right after the commit, by the Celery task ``tasks.tasks.write_staged_tasks``, which the import
  queues (``tasks.ingest``);
- by every interface that reads the campaign's tasks, before it reads them: it calls one of the
  ``tasks_ensure_written*`` services below (selectors only read), which is free when nothing is staged and
  otherwise writes them, or waits for a write already under way rather than seeing part of the campaign;
- by the beat sweep ``sweep_write_staged_tasks``, should a worker have missed the first.

All three run ``tasks_write_staged``: one transaction that locks the campaign's blocks, writes their tasks
in position order (so task ids grow with positions, as the claim expects), deletes the blocks and lowers
``tasks_staged`` by what it wrote. A second caller waits on the block locks and then finds nothing to do.
"""

from collections.abc import Iterator

import orjson
from django.db import connection, transaction
from django.db.models import F

from campaigns.models import Campaign
from campaigns.selectors import campaign_list_for_requester, campaign_list_for_worker

from .copy_rows import TASK_COPY_SQL, copy_in, task_copy_text
from .models import ImportJob, TaskBlock

BLOCKS_PER_COPY = 20


def block_lines(
    chunks: Iterator[list[list[str]]],
    *,
    campaign: Campaign,
    import_job: ImportJob,
    start: int,
    counter: list[int],
) -> Iterator[bytes]:
    """COPY text lines of ``TaskBlock`` rows, one per list of records, encoded and escaped: the records'
    JSON text escapes every control character, so backslashes are all that COPY would misread.
    ``counter[0]`` ends as the number of records."""
    head = f"{campaign.pk}\t{import_job.pk}\t".encode()
    needed = f"\t{campaign.results_per_task}\t".encode()
    position = start
    for chunk in chunks:
        records = orjson.dumps(chunk).replace(b"\\", b"\\\\")
        yield b"".join(
            [head, str(position).encode(), needed, str(len(chunk)).encode(), b"\t", records, b"\n"]
        )
        position += len(chunk)
    counter[0] = position - start


BLOCK_COPY_SQL = (
    f"COPY {TaskBlock._meta.db_table} (campaign_id, import_job_id, first_position, results_needed, count, records)"
    " FROM STDIN"
)


@transaction.atomic
def tasks_write_staged(*, campaign_id: int) -> int:
    """Write the tasks of the campaign's staged blocks; the number written (0 if another call did it).

    The blocks' records become JSON inputs here and go in with ``COPY``, as a small import's do: several
    times cheaper for the database than ``INSERT … SELECT`` building them in SQL (one-row inserts into
    three indexes, against COPY's batches). ``BLOCKS_PER_COPY`` blocks are read at a time (a few MB) and
    sent in one COPY, so that Python makes the next rows while PostgreSQL writes the last ones."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT b.id, b.first_position, b.results_needed, j.header"
            f" FROM {TaskBlock._meta.db_table} b JOIN {ImportJob._meta.db_table} j ON j.id = b.import_job_id"
            " WHERE b.campaign_id = %s ORDER BY b.first_position FOR UPDATE OF b",
            [campaign_id],
        )
        blocks = cursor.fetchall()
        written = [0]
        for start in range(0, len(blocks), BLOCKS_PER_COPY):
            group = blocks[start : start + BLOCKS_PER_COPY]
            cursor.execute(
                f"SELECT id, records FROM {TaskBlock._meta.db_table} WHERE id = ANY(%s)",
                [[b[0] for b in group]],
            )
            copy_in(TASK_COPY_SQL, _task_pieces(campaign_id, group, dict(cursor.fetchall()), written))
        if blocks:
            cursor.execute(
                f"DELETE FROM {TaskBlock._meta.db_table} WHERE id = ANY(%s)", [[block[0] for block in blocks]]
            )
    if written[0]:
        Campaign.objects.filter(pk=campaign_id).update(tasks_staged=F("tasks_staged") - written[0])
    return written[0]


def _task_pieces(
    campaign_id: int, group: list[tuple], records: dict[int, str], written: list[int]
) -> Iterator[bytes]:
    """COPY text of the tasks of a group of blocks, one piece per block, each block's records decoded only
    when its turn comes. JSON text escapes every control character, so backslashes are all that COPY
    would misread."""
    for block_id, first_position, needed, header in group:
        # Django leaves jsonb values (the header) as text for the field to decode.
        chunk = orjson.loads(records.pop(block_id))
        text = task_copy_text(
            orjson.loads(header), chunk, campaign_id=campaign_id, start=first_position, needed=needed
        )
        yield text.replace("\\", "\\\\").encode()
        written[0] += len(chunk)


def tasks_ensure_written(*, campaign: Campaign) -> None:
    """Before reading the campaign's tasks: write those still staged (free when there are none)."""
    if campaign.tasks_staged:
        tasks_write_staged(campaign_id=campaign.pk)
        campaign.tasks_staged = 0


def tasks_ensure_written_for_worker(*, user) -> None:
    """Before a worker's list of campaigns with their tasks on offer: write the staged tasks among them.
    One probe of an empty index nearly always; the worker's campaigns are only read when some are staged."""
    staged = list(_staged_campaigns().values_list("pk", flat=True))
    if staged:
        _write_each(campaign_list_for_worker(user=user).filter(pk__in=staged))


def tasks_ensure_written_for_requester(*, user) -> None:
    """Before a requester's list of the tasks of every campaign they may read: write the staged ones.
    One probe of an empty index nearly always; the requester's scope is only read when some are staged."""
    staged = list(_staged_campaigns().values_list("pk", flat=True))
    if staged:
        _write_each(campaign_list_for_requester(user=user).filter(pk__in=staged))


def _write_each(campaigns) -> None:
    for campaign_id in campaigns.order_by("pk").values_list("pk", flat=True):
        tasks_write_staged(campaign_id=campaign_id)


def _staged_campaigns():
    return Campaign.objects.filter(tasks_staged__gt=0).order_by()


def tasks_write_all_staged() -> int:
    """The sweep: write the staged tasks of every campaign that has some."""
    written = 0
    for campaign_id in _staged_campaigns().values_list("pk", flat=True):
        written += tasks_write_staged(campaign_id=campaign_id)
    return written
