"""Writes on assignments: submit, return, skip, and the expiry sweep."""

import json
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import CampaignState
from crowdplatform.errors import Conflict, NotFound, ValidationFailed
from crowdplatform.jsonvalues import holds_nul
from crowdplatform.sqlrows import Statement
from tasks import claim_sql
from tasks.jobs import job_answers_checked
from tasks.models import Task
from tasks.services import task_lock, task_qs_for_update, task_refresh_slots

from . import submit_sql
from .models import Assignment, AssignmentState


def assignment_qs_for_update():
    return Assignment.objects.select_for_update()


def validate_answers(answers) -> dict:
    """Answers are a JSON object of field → text, or a list of texts for a multi-valued field."""
    if not isinstance(answers, dict):
        raise ValidationFailed(
            "answers must be a JSON object of field names to values.", code="invalid-type", field="answers"
        )
    for key, value in answers.items():
        if holds_nul(key) or holds_nul(value):
            raise ValidationFailed(
                f"Answer '{key}' holds a NUL character.", code="nul-character", field=f"answers.{key}"
            )
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, (str, int, float, bool)) or v is None for v in values):
            raise ValidationFailed(
                f"Answer '{key}' must be text or a list of texts.",
                code="invalid-type",
                field=f"answers.{key}",
            )
    return answers


def _lock_own(assignment_id: int, worker: User) -> Assignment:
    """Lock the task, then the assignment (parent before child, as every writer does)."""
    task_id = (
        Assignment.objects.filter(pk=assignment_id, worker=worker).values_list("task_id", flat=True).first()
    )
    if task_id is None:
        raise NotFound("No such assignment.", code="assignment-not-found")
    task = task_qs_for_update().get(pk=task_id)
    assignment = assignment_qs_for_update().select_related("campaign").get(pk=assignment_id)
    assignment.task = task
    return assignment


def _own(assignment_id: int, worker: User) -> Assignment:
    """The worker's assignment with its campaign and task; SQL text, as it runs on every submit."""
    found = submit_sql.OWN.fetch_one(submit_sql.OWN_BY_ID, [assignment_id, worker.pk])
    if found is None:
        raise NotFound("No such assignment.", code="assignment-not-found")
    assignment, assignment.campaign, assignment.task = found
    return assignment


def _check_submittable(assignment: Assignment, now: datetime) -> None:
    if assignment.state == AssignmentState.ACCEPTED:
        if assignment.expires_at <= now:
            raise Conflict("The time allowed for this assignment has run out.", code="assignment-expired")
    elif assignment.state == AssignmentState.SOFT_REJECTED:
        if assignment.redo_until is None or assignment.redo_until <= now:
            raise Conflict("The time to redo this assignment has run out.", code="redo-window-closed")
    elif assignment.state in (AssignmentState.SUBMITTED, AssignmentState.APPROVED, AssignmentState.REJECTED):
        raise Conflict("This assignment was already submitted.", code="already-submitted")
    else:
        raise Conflict(
            f"This assignment is {assignment.state}; it cannot be submitted.",
            code="assignment-closed",
            extra={"state": assignment.state},
        )
    if assignment.campaign.state in (CampaignState.CANCELLED, CampaignState.ARCHIVED):
        raise Conflict("The campaign was cancelled.", code="campaign-closed")


# The submit's one write, as SQL text (it runs on every submit): it changes the assignment only if it is
# still in the state it was read in and its deadline has not passed.
_SUBMIT = f"""
UPDATE results_assignment
SET state = '{AssignmentState.SUBMITTED}', answers = %(answers)s, submitted_at = %(now)s,
    review_due_at = %(review_due)s, updated_at = %(now)s
WHERE id = %(id)s AND state = %(state)s AND {{deadline}} > %(now)s"""
_SUBMIT_ACCEPTED = Statement(_SUBMIT.format(deadline="expires_at"))
_SUBMIT_REDO = Statement(_SUBMIT.format(deadline="redo_until"))


def _mark_submitted(assignment: Assignment, answers: dict, now: datetime, review_due_at: datetime) -> bool:
    at = connection.ops.adapt_datetimefield_value
    statement = _SUBMIT_ACCEPTED if assignment.state == AssignmentState.ACCEPTED else _SUBMIT_REDO
    params = {
        "answers": json.dumps(answers),
        "now": at(now),
        "review_due": at(review_due_at),
        "id": assignment.pk,
        "state": assignment.state,
    }
    with connection.cursor() as cursor:
        statement.execute(cursor, params)
        return cursor.rowcount == 1


def assignment_submit(
    *, assignment_id: int, worker: User, answers: dict, now: datetime | None = None
) -> Assignment:
    """Submit answers for the worker's own assignment.

    Allowed once for an accepted, unexpired assignment, and again for soft-rejected work until its redo
    deadline. The submitted result is then in review until ``review_due_at``.

    Submitting does not change how many of the task's slots are held (accepted and soft-rejected work hold
    one, and so does submitted work), so the task is locked only when it is full and records when its
    first accepted holder runs out: that holder may be this one. The assignment itself changes by one
    conditional UPDATE, which a parallel submit, review or sweep cannot slip past.
    """
    now = now or timezone.now()
    # A job's answers are checked against its screens (tasks.jobs); other answers as template fields.
    answers = job_answers_checked(
        assignment_id=assignment_id, worker=worker, answers=answers
    ) or validate_answers(answers)
    if claim_sql.one_call_available():
        found = submit_sql.submit_in_one_call(
            assignment_id=assignment_id, worker_id=worker.pk, answers=answers, now=now
        )
        if found is not None:
            assignment, assignment.campaign, assignment.task = found
            assignment.answers = answers  # as sent, in the order sent
            return assignment
    return _submit(assignment_id, worker, answers, now)


@transaction.atomic
def _submit(assignment_id: int, worker: User, answers: dict, now: datetime) -> Assignment:
    assignment = _own(assignment_id, worker)
    _check_submittable(assignment, now)
    full_task = task_lock(task_id=assignment.task_id) if assignment.task.reopen_at else None
    review_due_at = now + timedelta(seconds=assignment.campaign.review_window_s)
    if not _mark_submitted(assignment, answers, now, review_due_at):
        # It changed since it was read (a parallel submit, a sweep, a review): say what it is now.
        _check_submittable(_own(assignment_id, worker), now)
        raise Conflict("The assignment changed while it was being submitted.", code="assignment-changed")
    if full_task is not None:
        task_refresh_slots(task=full_task, now=now)
    assignment.state = AssignmentState.SUBMITTED
    assignment.answers = answers
    assignment.submitted_at = assignment.updated_at = now
    assignment.review_due_at = review_due_at
    return assignment


def _give_back(assignment_id: int, worker: User, state: str, now: datetime | None) -> Assignment:
    now = now or timezone.now()
    assignment = _lock_own(assignment_id, worker)
    if assignment.state != AssignmentState.ACCEPTED or assignment.expires_at <= now:
        raise Conflict(
            f"Only an open assignment can be {state}; this one is {assignment.state}.",
            code="assignment-not-open",
            extra={"state": assignment.state},
        )
    assignment.state = state
    assignment.closed_at = now
    assignment.save(update_fields=["state", "closed_at", "updated_at"])
    task_refresh_slots(task=assignment.task, now=now)
    return assignment


@transaction.atomic
def assignment_return(*, assignment_id: int, worker: User, now: datetime | None = None) -> Assignment:
    """Give the task back for another worker; the returning worker is not offered it again."""
    return _give_back(assignment_id, worker, AssignmentState.RETURNED, now)


@transaction.atomic
def assignment_skip(*, assignment_id: int, worker: User, now: datetime | None = None) -> Assignment:
    """Put the task aside; it is offered to this worker again after every other task."""
    return _give_back(assignment_id, worker, AssignmentState.SKIPPED, now)


@transaction.atomic
def assignments_expire_due(*, now: datetime | None = None, within=None) -> int:
    """Mark accepted assignments past their time limit as expired. Set-based and idempotent.

    Claiming already ignores expired assignments; this makes their state visible and reopens their tasks.
    Tasks are updated before assignments, the same parent-then-child order every writer uses. ``within``:
    only among these assignments (a queryset: one campaign's, an admin's selection); all by default.
    """
    now = now or timezone.now()
    due = (within if within is not None else Assignment.objects.all()).filter(
        state=AssignmentState.ACCEPTED, expires_at__lte=now
    )
    Task.objects.filter(pk__in=due.values("task_id")).update(is_open=True, reopen_at=None)
    return due.update(state=AssignmentState.EXPIRED, closed_at=now)
