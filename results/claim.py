"""Claiming: a worker takes the next task of a campaign, or a task they previewed; a requester assigns a
task to a named worker (the lifecycle's ``claim`` and ``assign``)."""

from contextlib import nullcontext
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from campaigns.lifecycle import accepts_work
from campaigns.models import Campaign
from campaigns.selectors import campaign_get_for_worker, is_anonymous_worker
from crowdplatform.errors import Conflict
from tasks.models import Task
from tasks.services import task_qs_for_update
from tasks.staging import tasks_ensure_written

from . import claim_sql
from .lifecycle import COUNTS_FOR_CAP, next_state
from .models import Assignment
from .slots import is_full, live_slots, task_close_if_full, task_refresh_slots
from .transitions import sweep

CLAIM_ATTEMPTS = 8


def _worker_done_count(campaign: Campaign, worker: User, now: datetime) -> int:
    return (
        Assignment.objects.filter(campaign=campaign, worker=worker)
        .filter(COUNTS_FOR_CAP.as_q(now=now))
        .count()
    )


def assignment_claim_next(*, campaign_id: int, worker: User, now: datetime | None = None) -> Assignment:
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
    tasks_ensure_written(campaign=campaign)  # staged tasks become rows before any is taken
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
    """The common claim with its campaign's check in one round trip (PostgreSQL, a campaign without a cap or
    staged tasks): (outcome, the new assignment or None); ``CHECK``: the campaign is for the full path."""
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
    assignment = claim_sql.accepted(
        task=task, campaign=campaign, worker=worker, now=now, expires_at=expires_at
    )
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
    assignment = claim_sql.accepted(
        task=task, campaign=campaign, worker=worker, now=now, expires_at=expires_at
    )
    assignment.pk = assignment_id
    assignment._state.adding = False
    return assignment


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
    live = live_slots(task_id=task.pk, now=now)
    if is_full(task, live=live):
        # Its bookkeeping was out of date (a holder submitted or expired since it was written): mend it,
        # and the caller tries again.
        task_refresh_slots(task=task, now=now)
        return None, True
    return _take(task, campaign, worker, now, live, action="claim", revive=skipped), True


def _check_cap(campaign: Campaign, worker: User, now: datetime) -> None:
    cap = campaign.max_results_per_worker
    if cap is not None and _worker_done_count(campaign, worker, now) >= cap:
        raise Conflict(
            f"You have done the {cap} tasks one worker may do in this campaign.", code="worker-cap-reached"
        )


def _take(
    task: Task, campaign: Campaign, worker: User, now: datetime, live: int, *, action: str, revive: bool
) -> Assignment:
    """Give the locked ``task``, ``live`` of whose slots are held, to ``worker`` (``action``: the lifecycle's
    claim or assign).

    ``revive``: the worker may hold an assignment on it in a state the action starts from (skipped), which
    becomes the accepted one. Otherwise a plain insert. If the worker got the task in a parallel request, the unique
    (task, worker) constraint raises ``IntegrityError`` and the caller's transaction is rolled back.
    """
    expires_at = now + timedelta(seconds=campaign.time_allowed_s)
    revived = revive and sweep(
        Assignment.objects.filter(task=task, worker=worker),
        action,
        now=now,
        accepted_at=now,
        expires_at=expires_at,
        closed_at=None,
    )
    if revived:
        assignment = Assignment.objects.get(task=task, worker=worker)
    else:
        assignment = claim_sql.accepted(
            task=task, campaign=campaign, worker=worker, now=now, expires_at=expires_at
        )
        assignment.pk = claim_sql.insert_accepted(
            task_id=task.pk, campaign_id=campaign.pk, worker_id=worker.pk, now=now, expires_at=expires_at
        )
        assignment._state.adding = False
    task_close_if_full(task=task, live=live + 1, now=now)
    assignment.task = task
    assignment.campaign = campaign
    return assignment


def _take_this(task: Task, campaign: Campaign, worker: User, now: datetime, action: str) -> Assignment:
    """The task, locked (waiting, not skipping) so that the slot count read is the one the new assignment is
    added to, given to ``worker`` if the lifecycle allows it and it still has room."""
    task = task_qs_for_update().get(pk=task.pk)
    state = Assignment.objects.filter(task=task, worker=worker).values_list("state", flat=True).first()
    if next_state(state, action) is None:
        raise Conflict("You already worked on this task.", code="already-assigned")
    live = live_slots(task_id=task.pk, now=now)
    if is_full(task, live=live):
        task_refresh_slots(task=task, now=now)
        raise Conflict("This task has all the results it needs.", code="task-full")
    try:
        with transaction.atomic():
            return _take(task, campaign, worker, now, live, action=action, revive=True)
    except IntegrityError as exc:
        raise Conflict("You already worked on this task.", code="already-assigned") from exc


@transaction.atomic
def assignment_claim(*, task: Task, worker: User, now: datetime | None = None) -> Assignment:
    """Give ``worker`` this very task (one they previewed), if it still needs a result and they have not had it.

    Same rules as ``assignment_claim_next``.
    """
    now = now or timezone.now()
    campaign = campaign_get_for_worker(user=worker, pk=task.campaign_id)
    _check_cap(campaign, worker, now)
    return _take_this(task, campaign, worker, now, "claim")


@transaction.atomic
def assignment_assign(*, task: Task, worker: User, now: datetime | None = None) -> Assignment:
    """Give ``task`` to the named ``worker`` (a requester's choice, not the worker's): the campaign must take
    work and the task have room, and the worker must not have had it; the worker's cap is not applied."""
    now = now or timezone.now()
    campaign = Campaign.objects.get(pk=task.campaign_id)
    if not accepts_work(campaign.state):
        raise Conflict(
            f"The campaign is {campaign.state}; it does not take work now.",
            code="campaign-not-active",
            extra={"state": campaign.state},
        )
    return _take_this(task, campaign, worker, now, "assign")
