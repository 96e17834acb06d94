"""Writes on assignments: submit, return, skip, and the expiry sweeps. Claiming is ``results.claim``,
review ``results.decisions`` and ``results.review``.

Every change of an assignment's state is a transition of ``results.lifecycle``: the services here take
the source states, target and guard from its table (``_move`` for one locked row, ``_sweep`` for a set).
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from crowdplatform.errors import Conflict, NotFound, ValidationFailed
from crowdplatform.jsonvalues import holds_nul
from tasks.jobs import job_answers_checked, shaped_as_job_answers
from tasks.models import Task
from tasks.services import task_qs_for_update

from . import claim_sql, submit_sql
from .lifecycle import NEW, OPEN, REDO_OPEN, SUBMITTABLE, TRANSITIONS, next_state
from .models import Assignment, AssignmentState
from .slots import task_refresh_slots, tasks_reopen
from .transitions import create, due, move, sweep


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
    found = submit_sql.OWN.fetch_one(submit_sql.OWN_BY_ID, {"id": assignment_id, "worker": worker.pk})
    if found is None:
        raise NotFound("No such assignment.", code="assignment-not-found")
    assignment, assignment.campaign, assignment.task = found
    return assignment


def _check_submittable(assignment: Assignment, now: datetime) -> None:
    """Nothing when the lifecycle lets the worker hand it in; else the conflict that says why not."""
    if SUBMITTABLE.holds(assignment, now=now):
        return
    state = assignment.state
    if state in TRANSITIONS["submit"].sources and not OPEN.holds(assignment, now=now):
        raise Conflict("The time allowed for this assignment has run out.", code="assignment-expired")
    if state in TRANSITIONS["redo"].sources and not REDO_OPEN.holds(assignment, now=now):
        raise Conflict("The time to redo this assignment has run out.", code="redo-window-closed")
    if state in (AssignmentState.SUBMITTED, AssignmentState.APPROVED, AssignmentState.REJECTED):
        raise Conflict("This assignment was already submitted.", code="already-submitted")
    if state in TRANSITIONS["submit"].sources | TRANSITIONS["redo"].sources:
        raise Conflict("The campaign was cancelled.", code="campaign-closed")
    raise Conflict(
        f"This assignment is {state}; it cannot be submitted.",
        code="assignment-closed",
        extra={"state": state},
    )


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
    # Answers shaped as a job's are checked against its screens, when the task is a job (tasks.jobs); other
    # answers as template fields, without a look at the task: a job's task refuses them below.
    checked = None
    if shaped_as_job_answers(answers):
        checked = job_answers_checked(assignment_id=assignment_id, worker=worker, answers=answers)
    answers = checked or validate_answers(answers)
    if claim_sql.one_call_available():
        found = submit_sql.submit_in_one_call(
            assignment_id=assignment_id, worker_id=worker.pk, answers=answers, now=now
        )
        if found is not None:
            assignment, assignment.campaign, assignment.task = found
            assignment.answers = answers  # as sent, in the order sent
            return assignment
    return _submit(assignment_id, worker, answers, now, checked_as_job=checked is not None)


@transaction.atomic
def _submit(
    assignment_id: int, worker: User, answers: dict, now: datetime, checked_as_job: bool = False
) -> Assignment:
    """The submit step by step; ``checked_as_job``: the answers were checked against the task's job."""
    assignment = _own(assignment_id, worker)
    _check_submittable(assignment, now)
    if not checked_as_job and assignment.task.job_id is not None:
        # A job's task sent answers of another shape: refused, as the job's check says.
        job_answers_checked(assignment_id=assignment_id, worker=worker, answers=answers)
    # SQL text (it runs on every submit to a full task); locked before the assignment's write, as every
    # writer locks the task before its assignments.
    full_task = claim_sql.lock(task_id=assignment.task_id) if assignment.task.reopen_at else None
    review_due_at = now + timedelta(seconds=assignment.campaign.review_window_s)
    if not submit_sql.mark_submitted(assignment, answers=answers, now=now, review_due_at=review_due_at):
        # It changed since it was read (a parallel submit, a sweep, a review): say what it is now.
        _check_submittable(_own(assignment_id, worker), now)
        raise Conflict("The assignment changed while it was being submitted.", code="assignment-changed")
    if full_task is not None:
        task_refresh_slots(task=full_task, now=now)
    return assignment


def _give_back(assignment_id: int, worker: User, action: str, now: datetime | None) -> Assignment:
    now = now or timezone.now()
    assignment = _lock_own(assignment_id, worker)
    refused = Conflict(
        f"Only an open assignment can be {TRANSITIONS[action].target}; this one is {assignment.state}.",
        code="assignment-not-open",
        extra={"state": assignment.state},
    )
    move(assignment, action, now=now, refused=refused, closed_at=now)
    task_refresh_slots(task=assignment.task, now=now)
    return assignment


@transaction.atomic
def assignment_return(*, assignment_id: int, worker: User, now: datetime | None = None) -> Assignment:
    """Give the task back for another worker; the returning worker is not offered it again."""
    return _give_back(assignment_id, worker, "return", now)


@transaction.atomic
def assignment_skip(
    *, worker: User, assignment_id: int | None = None, task: Task | None = None, now: datetime | None = None
) -> Assignment:
    """Put a task aside; it is offered to this worker again after every other task.

    The worker's assignment (``assignment_id``), or a task they previewed and did not accept (``task``):
    skipping that one records a skipped assignment, and skipping it again changes nothing.
    """
    if assignment_id is not None:
        return _give_back(assignment_id, worker, "skip", now)
    now = now or timezone.now()
    assignment, created = create(
        "skip", task=task, worker=worker, accepted_at=now, expires_at=now, closed_at=now
    )
    if not created and assignment.state != next_state(NEW, "skip"):
        raise Conflict("You already worked on this task.", code="already-assigned")
    return assignment


def _expire(action: str, within: QuerySet[Assignment] | None, now: datetime | None) -> int:
    """Set-based and idempotent: tasks are updated before assignments, the same parent-then-child order
    every writer uses."""
    now = now or timezone.now()
    found = due(within if within is not None else Assignment.objects.all(), action, now=now)
    tasks_reopen(task_ids=found.values("task_id"))
    return sweep(found, action, now=now, closed_at=now)


@transaction.atomic
def assignments_expire_due(*, now: datetime | None = None, within=None) -> int:
    """Mark accepted assignments past their time limit as expired.

    Claiming already ignores expired assignments; this makes their state visible and reopens their tasks.
    ``within``: only among these assignments (a queryset: one campaign's, an admin's selection); all by
    default.
    """
    return _expire("expire", within, now)


@transaction.atomic
def assignments_expire_redo_due(*, now: datetime | None = None) -> int:
    """Close redo windows that passed without a new submission.

    A soft rejection promises no damage to the worker's reputation, so the result is neither rejected
    nor paid: it becomes ``expired`` (not counted as reviewed) and its task's slot reopens for another
    worker.
    """
    return _expire("expire_redo", None, now)
