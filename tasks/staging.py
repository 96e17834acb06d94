"""Large CSV imports on PostgreSQL: records stored in blocks when they arrive, written as tasks right after.

Writing a million task rows (each with its ``jsonb`` input and three index entries) costs several times
what reading the file does. An import of at least ``settings.TASKS_STAGE_MIN_RECORDS`` records therefore
stores its checked records a few thousand per ``TaskBlock`` row, in the same all-or-nothing transaction
that counts them in the campaign (``tasks_count`` and ``tasks_staged``) and holds their money, and is
answered then. The tasks are written from the blocks:

- right after the commit, by the Celery task ``tasks.tasks.write_staged_tasks``;
- by every reader of the campaign's tasks that finds ``tasks_staged`` set (``tasks_ensure_written``),
  which waits for a write already under way rather than seeing part of the campaign;
- by the beat sweep ``sweep_write_staged_tasks``, should a worker have missed the first.

All three run ``tasks_write_staged``: one transaction that locks the campaign's blocks, writes their tasks
in position order (so task ids grow with positions, as the claim expects), deletes the blocks and lowers
``tasks_staged`` by what it wrote. A second caller waits on the block locks and then finds nothing to do.
"""

import logging
from collections.abc import Iterator

import orjson
from django.db import DatabaseError, connection, transaction
from django.db.models import F

from campaigns.models import Campaign

from .models import ImportJob, Task, TaskBlock

log = logging.getLogger(__name__)


_WRITE_BLOCK = f"""
INSERT INTO {Task._meta.db_table} (campaign_id, position, input, results_needed, is_open)
SELECT b.campaign_id, b.first_position + r.o - 1,
       jsonb_object(k.keys, ARRAY(SELECT jsonb_array_elements_text(r.e))), b.results_needed, true
FROM {TaskBlock._meta.db_table} b
JOIN {ImportJob._meta.db_table} j ON j.id = b.import_job_id
CROSS JOIN LATERAL (SELECT ARRAY(SELECT jsonb_array_elements_text(j.header)) AS keys) k
CROSS JOIN LATERAL jsonb_array_elements(b.records::jsonb) WITH ORDINALITY AS r(e, o)
WHERE b.id = %s
ORDER BY r.o
"""


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


def row_checks_off(cursor) -> bool:
    """Spare the COPY the foreign key's check of every row against the campaign, where the role may.

    Every row written names the campaign the caller has locked (``FOR UPDATE``, so it cannot go away
    before the commit), by the id the code puts in each line, never a value from the file: the check,
    run once per row at commit, would prove the same thing a million times, and takes longer than the
    COPY itself. ``session_replication_role = replica`` (what ``pg_restore`` loads data with) does not
    fire the table's triggers, the foreign key's among them, for the rest of this transaction; it is set
    back right after the COPY. A role that may not set it (not a superuser, no ``GRANT SET``) has its
    rows checked at commit, as any insert.
    """
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


@transaction.atomic
def tasks_write_staged(*, campaign_id: int) -> int:
    """Write the tasks of the campaign's staged blocks; the number written (0 if another call did it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, count FROM {TaskBlock._meta.db_table} WHERE campaign_id = %s"
            " ORDER BY first_position FOR UPDATE",
            [campaign_id],
        )
        blocks = cursor.fetchall()
        if not blocks:
            return 0
        checks_off = row_checks_off(cursor)
        for block_id, _ in blocks:
            cursor.execute(_WRITE_BLOCK, [block_id])
        if checks_off:
            cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute(
            f"DELETE FROM {TaskBlock._meta.db_table} WHERE id = ANY(%s)",
            [[block_id for block_id, _ in blocks]],
        )
    written = sum(count for _, count in blocks)
    Campaign.objects.filter(pk=campaign_id).update(tasks_staged=F("tasks_staged") - written)
    return written


def tasks_ensure_written(*, campaign: Campaign) -> None:
    """Before reading the campaign's tasks: write those still staged (free when there are none)."""
    if campaign.tasks_staged:
        tasks_write_staged(campaign_id=campaign.pk)
        campaign.tasks_staged = 0


def tasks_ensure_written_for(campaign_ids) -> None:
    """``tasks_ensure_written`` for every campaign among ``campaign_ids`` (a list or a queryset of ids)."""
    for campaign_id in Campaign.objects.filter(pk__in=campaign_ids, tasks_staged__gt=0).values_list(
        "pk", flat=True
    ):
        tasks_write_staged(campaign_id=campaign_id)


def schedule_write(campaign_id: int) -> None:
    """After the import's commit: hand the write to a Celery worker. A broker that cannot be reached only
    delays it (the sweep or the first reader writes the tasks), so it never fails the import."""
    from .tasks import write_staged_tasks

    try:
        write_staged_tasks.delay(campaign_id)
    except Exception:  # noqa: BLE001 - any broker failure; the data is committed and readers write it
        log.warning("Could not queue the write of staged tasks of campaign %s", campaign_id, exc_info=True)


def tasks_write_all_staged() -> int:
    """The sweep: write the staged tasks of every campaign that has some."""
    written = 0
    for campaign_id in Campaign.objects.filter(tasks_staged__gt=0).values_list("pk", flat=True):
        written += tasks_write_staged(campaign_id=campaign_id)
    return written
