"""Every transition of the lifecycle table through the service that makes it; every refused one changes
nothing."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.models import LedgerEntry
from campaigns.models import Campaign, CampaignState
from crowdplatform.errors import ApplicationError
from results.claim import assignment_assign, assignment_claim, assignment_claim_next
from results.decisions import (
    assignment_approve,
    assignment_overturn,
    assignment_reject,
    assignment_soft_reject,
)
from results.lifecycle import NEW, TRANSITIONS
from results.models import Assignment
from results.models import AssignmentState as S
from results.review import results_auto_approve_due
from results.services import (
    assignment_return,
    assignment_skip,
    assignment_submit,
    assignments_expire_due,
    assignments_expire_redo_due,
)
from tasks.models import Task
from tests.factories import RequesterFactory, UserFactory
from tests.money.invariants import assert_money_invariants
from tests.money.scenario import campaign_with_tasks, fund

pytestmark = pytest.mark.django_db

ANSWERS = {"label": "x"}


@pytest.fixture
def campaign():
    requester = RequesterFactory()
    fund(requester, "100")
    return campaign_with_tasks(requester=requester, tasks=2, results_per_task=3)


def _in_state(campaign, state, worker=None) -> Assignment:
    """A worker's assignment in ``state``, reached through the services where they lead there."""
    worker = worker or UserFactory()
    task = Task.objects.filter(campaign=campaign).order_by("position").first()
    if state == S.SKIPPED:
        return assignment_skip(task=task, worker=worker)
    assignment = assignment_claim(task=task, worker=worker)
    if state in (S.SUBMITTED, S.SOFT_REJECTED, S.REJECTED, S.APPROVED):
        assignment_submit(assignment_id=assignment.pk, worker=worker, answers=ANSWERS)
    if state == S.SOFT_REJECTED:
        until = timezone.now() + timedelta(days=1)
        assignment_soft_reject(assignment_id=assignment.pk, reviewer=None, reason="again", until=until)
    if state == S.REJECTED:
        assignment_reject(assignment_id=assignment.pk, reviewer=None, reason="no")
    if state == S.APPROVED:
        assignment_approve(assignment_id=assignment.pk, reviewer=None)
    if state == S.RETURNED:
        assignment_return(assignment_id=assignment.pk, worker=worker)
    if state == S.EXPIRED:
        Assignment.objects.filter(pk=assignment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        assignments_expire_due()
    assignment.refresh_from_db()
    assert assignment.state == state
    return assignment


def _past(assignment, *columns):
    Assignment.objects.filter(pk=assignment.pk).update(
        **{c: timezone.now() - timedelta(seconds=1) for c in columns}
    )


def _task_of(campaign):
    return Task.objects.filter(campaign=campaign).order_by("position").first()


# (action, state it starts from) -> how to make it: given the campaign and, unless the action starts from NEW,
# an assignment in that state; answers the assignment's id.
def _claim_new(campaign, _):
    return assignment_claim_next(campaign_id=campaign.pk, worker=UserFactory()).pk


def _claim_skipped(campaign, a):
    return assignment_claim(task=a.task, worker=a.worker).pk


def _assign_new(campaign, _):
    return assignment_assign(task=_task_of(campaign), worker=UserFactory()).pk


def _assign_skipped(campaign, a):
    return assignment_assign(task=a.task, worker=a.worker).pk


def _submit(campaign, a):
    return assignment_submit(assignment_id=a.pk, worker=a.worker, answers=ANSWERS).pk


def _skip_new(campaign, _):
    return assignment_skip(task=_task_of(campaign), worker=UserFactory()).pk


def _skip(campaign, a):
    return assignment_skip(assignment_id=a.pk, worker=a.worker).pk


def _return(campaign, a):
    return assignment_return(assignment_id=a.pk, worker=a.worker).pk


def _expire(campaign, a):
    _past(a, "expires_at")
    assert assignments_expire_due() == 1
    return a.pk


def _expire_redo(campaign, a):
    _past(a, "redo_until")
    assert assignments_expire_redo_due() == 1
    return a.pk


def _approve(campaign, a):
    return assignment_approve(assignment_id=a.pk, reviewer=None).pk


def _auto_approve(campaign, a):
    _past(a, "review_due_at")
    assert results_auto_approve_due() == 1
    return a.pk


def _reject(campaign, a):
    return assignment_reject(assignment_id=a.pk, reviewer=None, reason="no").pk


def _soft_reject(campaign, a):
    until = timezone.now() + timedelta(days=1)
    return assignment_soft_reject(assignment_id=a.pk, reviewer=None, reason="again", until=until).pk


def _overturn(campaign, a):
    return assignment_overturn(assignment_id=a.pk, reviewer=None).pk


MAKE = {
    ("claim", NEW): _claim_new,
    ("claim", S.SKIPPED): _claim_skipped,
    ("assign", NEW): _assign_new,
    ("assign", S.SKIPPED): _assign_skipped,
    ("submit", S.ACCEPTED): _submit,
    ("redo", S.SOFT_REJECTED): _submit,
    ("skip", NEW): _skip_new,
    ("skip", S.ACCEPTED): _skip,
    ("return", S.ACCEPTED): _return,
    ("expire", S.ACCEPTED): _expire,
    ("expire_redo", S.SOFT_REJECTED): _expire_redo,
    ("approve", S.SUBMITTED): _approve,
    ("approve", S.SOFT_REJECTED): _approve,
    ("auto_approve", S.SUBMITTED): _auto_approve,
    ("reject", S.SUBMITTED): _reject,
    ("soft_reject", S.SUBMITTED): _soft_reject,
    ("overturn", S.REJECTED): _overturn,
}


def test_every_transition_of_the_table_has_its_service():
    assert set(MAKE) == {(t.name, source) for t in TRANSITIONS.values() for source in t.sources}


@pytest.mark.parametrize(("action", "source"), list(MAKE), ids=[f"{a} from {s or 'new'}" for a, s in MAKE])
def test_each_service_makes_its_transition(campaign, action, source):
    # given an assignment in the transition's source state (or none yet)
    given = None if source is NEW else _in_state(campaign, source)
    # when the service of the transition runs
    assignment_id = MAKE[action, source](campaign, given)
    # then the assignment is in the transition's target state, and the money adds up
    assert Assignment.objects.get(pk=assignment_id).state == TRANSITIONS[action].target
    assert_money_invariants()


# The services that act on one assignment, by the actions they make; each is tried on every stored state
# its actions do not start from.
ONE_ROW = {
    ("claim", "assign"): lambda campaign, a: assignment_claim(task=a.task, worker=a.worker),
    ("assign",): lambda campaign, a: assignment_assign(task=a.task, worker=a.worker),
    ("submit", "redo"): _submit,
    ("skip",): _skip,
    ("return",): _return,
    ("approve",): _approve,
    ("reject",): _reject,
    ("soft_reject",): _soft_reject,
    ("overturn",): _overturn,
}
SWEEPS = {"expire": assignments_expire_due, "expire_redo": assignments_expire_redo_due}
ILLEGAL = [
    (actions, state)
    for actions in ONE_ROW
    for state in S.values
    if not any(state in TRANSITIONS[a].sources for a in actions)
    # approving approved work again changes nothing and is answered as done
    and not (actions == ("approve",) and state == S.APPROVED)
    and not (actions == ("overturn",) and state == S.APPROVED)
]


def _snapshot(assignment):
    row = Assignment.objects.get(pk=assignment.pk)
    task = Task.objects.get(pk=assignment.task_id)
    return (
        model_to_dict(row),
        model_to_dict(task),
        (task.is_open, task.reopen_at),
        LedgerEntry.objects.count(),
    )


@pytest.mark.parametrize(("actions", "state"), ILLEGAL, ids=[f"{a[0]} on {s}" for a, s in ILLEGAL])
def test_a_transition_the_table_does_not_allow_is_refused_with_nothing_changed(campaign, actions, state):
    # given an assignment in a state the service's transition does not start from
    given = _in_state(campaign, state)
    before = _snapshot(given)
    # when the service is asked to make it, then it is refused
    with pytest.raises(ApplicationError):
        ONE_ROW[actions](campaign, given)
    # and nothing changed: the assignment, its task's bookkeeping, the ledger
    assert _snapshot(given) == before


@pytest.mark.parametrize("action", list(SWEEPS))
@pytest.mark.parametrize("state", S.values)
def test_a_sweep_leaves_every_assignment_it_may_not_move(campaign, action, state):
    # given an assignment in any state whose deadlines are all to come
    given = _in_state(campaign, state)
    before = _snapshot(given)
    # when the sweep runs, then it moves nothing
    assert SWEEPS[action]() == 0
    assert _snapshot(given) == before


def test_assigning_a_task_of_a_campaign_that_takes_no_work_is_refused_with_nothing_written(campaign):
    # given a paused campaign
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.PAUSED)
    worker = UserFactory()
    # when a task of it is assigned to a named worker, then it is refused and no assignment is made
    with pytest.raises(ApplicationError) as refused:
        assignment_assign(task=_task_of(campaign), worker=worker)
    assert refused.value.code == "campaign-not-active"
    assert not Assignment.objects.filter(worker=worker).exists()
