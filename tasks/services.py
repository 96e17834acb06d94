"""Claiming the next task, and the open/full bookkeeping of tasks."""

from contextlib import nullcontext
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.selectors import campaign_get_for_worker, is_anonymous_worker
from crowdplatform.errors import Conflict
from results.models import DONE_STATES, Assignment, AssignmentState

from . import claim_sql
from .models import Task
from .staging import tasks_ensure_written

CLAIM_ATTEMPTS = 8


def task_qs_for_update():
    return Task.objects.select_for_update()


def task_lock(*, task_id: int) -> Task:
    """Lock the task until the end of the caller's transaction (SQL text: submits of full tasks run it)."""
    return claim_sql.lock(task_id=task_id)


def task_close(*, task: Task, now: datetime) -> None:
    """Mark a task the caller has locked as full: not open, and offered again when its first holder expires."""
    claim_sql.close(task_id=task.pk, now=now)


def task_refresh_slots(*, task: Task, now: datetime) -> Task:
    """Recompute ``is_open``/``reopen_at`` of a task the caller has locked."""
    if claim_sql.live_slots(task_id=task.pk, now=now) >= task.results_needed:
        task_close(task=task, now=now)
    elif not task.is_open or task.reopen_at is not None:
        Task.objects.filter(pk=task.pk).update(is_open=True, reopen_at=None)
    return task


def _worker_done_count(campaign: Campaign, worker: User, now: datetime) -> int:
    return (
        Assignment.objects.filter(campaign=campaign, worker=worker)
        .filter(
            Q(state__in=[*DONE_STATES, AssignmentState.REJECTED])
            | Q(state=AssignmentState.ACCEPTED, expires_at__gt=now)
        )
        .count()
    )


def task_claim_next(*, campaign_id: int, worker: User, now: datetime | None = None) -> Assignment:
    """Give ``worker`` the next task of the campaign that still needs a result and that they have not had.

    One short transaction that locks only the task it takes (``SKIP LOCKED``), so concurrent claims never
    wait on each other. Expired assignments never hold a slot, whether or not a sweep has run. Tasks the
    worker skipped come last. The unique (task, worker) constraint is the backstop against a worker
    getting one task twice: when it fires (the same worker claiming in two requests at once), the attempt
    is rolled back and the next one starts afresh.
    """
    now = now or timezone.now()
    one_call = claim_sql.one_call_available()
    if one_call:
        outcome, assignment = _claim_offered_in_one_call(campaign_id, worker, now)
        if assignment is not None:
            return assignment
        # CHECK: the campaign is for the full path to read, and the one call may still take a task after it.
        # Otherwise the campaign passed but the call found no task it could take (none left, bookkeeping to
        # mend, a skipped task): the steps below deal with that, and running the one call again would not.
        one_call = outcome == claim_sql.CHECK
    campaign = campaign_get_for_worker(user=worker, pk=campaign_id)
    tasks_ensure_written(campaign=campaign)
    _check_cap(campaign, worker, now)
    if one_call:
        assignment = _claim_in_one_call(campaign, worker, now)
        if assignment is not None:
            return assignment
    races = 0
    while races < CLAIM_ATTEMPTS:
        try:
            with transaction.atomic():
                assignment, found = _claim_once(campaign, worker, now)
        except IntegrityError:
            races += 1
            continue
        if assignment is not None:
            return assignment
        if not found:
            break
        # A task whose bookkeeping was out of date was mended: it is not offered again at ``now``, so this
        # loop ends after at most as many rounds as there were such tasks.
    raise Conflict("No task is available for you in this campaign.", code="no-task-available")


def _claim_offered_in_one_call(
    campaign_id: int, worker: User, now: datetime
) -> tuple[str, Assignment | None]:
    """The common claim with its campaign's check in one round trip (PostgreSQL, a campaign open to anyone):
    (outcome, the new assignment or None); ``CHECK``: the campaign is for the full path to read."""
    try:
        with transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext():
            outcome, assignment_id, task, campaign_name, expires_at = claim_sql.claim_offered_in_one_call(
                campaign_id=campaign_id, worker_id=worker.pk, anonymous=is_anonymous_worker(worker), now=now
            )
    except IntegrityError:
        return claim_sql.CHECK, None
    if outcome != claim_sql.TAKEN:
        return outcome, None
    # The fields the claim's answer needs; the others are loaded if something asks for them.
    campaign = Campaign.from_db(connection.alias, ["id", "name"], [campaign_id, campaign_name])
    assignment = _accepted(task, campaign, worker, now, expires_at)
    assignment.pk = assignment_id
    assignment._state.adding = False
    return outcome, assignment


def _claim_in_one_call(campaign: Campaign, worker: User, now: datetime) -> Assignment | None:
    """The common claim in one round trip (PostgreSQL); None when it took nothing and wrote nothing, for the
    steps of ``_claim_once`` to deal with (no task left, bookkeeping to mend, a skipped task, a race)."""
    expires_at = now + timedelta(seconds=campaign.time_allowed_s)
    try:
        # Inside a caller's transaction, a savepoint keeps that transaction usable if the call fails.
        with transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext():
            outcome, assignment_id, task = claim_sql.claim_in_one_call(
                campaign_id=campaign.pk, worker_id=worker.pk, now=now, expires_at=expires_at
            )
    except IntegrityError:
        return None
    if outcome != claim_sql.TAKEN:
        return None
    assignment = _accepted(task, campaign, worker, now, expires_at)
    assignment.pk = assignment_id
    assignment._state.adding = False
    return assignment


def _accepted(
    task: Task, campaign: Campaign, worker: User, now: datetime, expires_at: datetime
) -> Assignment:
    return Assignment(
        task=task,
        worker=worker,
        campaign=campaign,
        state=AssignmentState.ACCEPTED,
        accepted_at=now,
        expires_at=expires_at,
        updated_at=now,
    )


def _claim_once(campaign: Campaign, worker: User, now: datetime) -> tuple[Assignment | None, bool]:
    """One attempt: (the new assignment, True), (None, True) if the task found was full, (None, False) if none."""
    for skipped in (False, True):
        task = claim_sql.next_free_task(
            campaign_id=campaign.pk, worker_id=worker.pk, now=now, skipped=skipped
        )
        if task is not None:
            break
    else:
        return None, False
    live = claim_sql.live_slots(task_id=task.pk, now=now)
    if live >= task.results_needed:
        # Its bookkeeping was out of date (a holder submitted or expired since it was written): mend it,
        # and the caller tries again.
        task_refresh_slots(task=task, now=now)
        return None, True
    return _take(task, campaign, worker, now, live, revive=skipped), True


def _check_cap(campaign: Campaign, worker: User, now: datetime) -> None:
    cap = campaign.max_results_per_worker
    if cap is not None and _worker_done_count(campaign, worker, now) >= cap:
        raise Conflict(
            f"You have done the {cap} tasks one worker may do in this campaign.", code="worker-cap-reached"
        )


def _take(
    task: Task, campaign: Campaign, worker: User, now: datetime, live: int, *, revive: bool
) -> Assignment:
    """Give the locked ``task``, ``live`` of whose slots are held, to ``worker``.

    ``revive``: the worker may hold a skipped assignment on it, which becomes the accepted one. Otherwise a
    plain insert; if the worker got the task in a parallel request, the unique (task, worker) constraint
    raises ``IntegrityError`` and the caller's transaction is rolled back.
    """
    expires_at = now + timedelta(seconds=campaign.time_allowed_s)
    assignment = None
    if revive:
        revived = Assignment.objects.filter(task=task, worker=worker, state=AssignmentState.SKIPPED).update(
            state=AssignmentState.ACCEPTED,
            accepted_at=now,
            expires_at=expires_at,
            closed_at=None,
            updated_at=now,
        )
        if revived:
            assignment = Assignment.objects.get(task=task, worker=worker)
    if assignment is None:
        assignment = _accepted(task, campaign, worker, now, expires_at)
        assignment.pk = claim_sql.insert_accepted(
            task_id=task.pk, campaign_id=campaign.pk, worker_id=worker.pk, now=now, expires_at=expires_at
        )
        assignment._state.adding = False
    if live + 1 >= task.results_needed:
        task_close(task=task, now=now)
    assignment.task = task
    assignment.campaign = campaign
    return assignment


@transaction.atomic
def task_claim(*, task: Task, worker: User, now: datetime | None = None) -> Assignment:
    """Give ``worker`` this very task (one they previewed), if it still needs a result and they have not had it.

    Same rules as ``task_claim_next``; the task row is locked (waiting, not skipping) so that the slot count
    read here is the one the new assignment is added to.
    """
    now = now or timezone.now()
    campaign = campaign_get_for_worker(user=worker, pk=task.campaign_id)
    _check_cap(campaign, worker, now)
    task = task_qs_for_update().get(pk=task.pk)
    if Assignment.objects.filter(task=task, worker=worker).exclude(state=AssignmentState.SKIPPED).exists():
        raise Conflict("You already worked on this task.", code="already-assigned")
    live = claim_sql.live_slots(task_id=task.pk, now=now)
    if live >= task.results_needed:
        task_refresh_slots(task=task, now=now)
        raise Conflict("This task has all the results it needs.", code="task-full")
    try:
        with transaction.atomic():
            return _take(task, campaign, worker, now, live, revive=True)
    except IntegrityError as exc:
        raise Conflict("You already worked on this task.", code="already-assigned") from exc


@transaction.atomic
def task_skip(*, task: Task, worker: User, now: datetime | None = None) -> Assignment:
    """Skip a task the worker previewed but did not accept; it will be offered to them last."""
    now = now or timezone.now()
    assignment, created = Assignment.objects.get_or_create(
        task=task,
        worker=worker,
        defaults={
            "campaign_id": task.campaign_id,
            "state": AssignmentState.SKIPPED,
            "accepted_at": now,
            "expires_at": now,
            "closed_at": now,
        },
    )
    if not created and assignment.state != AssignmentState.SKIPPED:
        raise Conflict("You already worked on this task.", code="already-assigned")
    return assignment
