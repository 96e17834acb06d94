"""The assignment's life as data: its states, which of them hold a task's slot, and the transition table
with each transition's guard (no database here; see ``docs/lifecycle.md`` for the diagram).

The services in ``results`` are the only writers of an assignment's state, and each of them takes its
transition from this table: the states it may start from, the state it leads to, and the guard, a
``crowdplatform.predicates.Predicate`` on the assignment and its campaign at ``now``. The same predicates
render the SQL of the claim and submit fast paths and of the sweeps, so a rule changed here is changed
everywhere it is checked.

``NEW`` stands for "no assignment yet": claiming, assigning and skipping a previewed task create one.
Room for what workflows bring next: a review level or an iteration is a further state (or a counter on
the assignment) and a few rows in ``TRANSITIONS``; the services and the SQL read the table, not a list of
states of their own.
"""

from dataclasses import dataclass

from campaigns.models import CampaignState
from crowdplatform.predicates import Any, Field, Param, Predicate

from .models import AssignmentState as S

NEW = None

NOW = Param("now")
STATE = Field("state")

# Which states hold one of the task's result slots: always, never, or until the deadline in a column.
ALWAYS = "always"
HOLDS: dict[str, str | None] = {
    S.ACCEPTED: "expires_at",
    S.SUBMITTED: ALWAYS,
    S.APPROVED: ALWAYS,
    S.SOFT_REJECTED: ALWAYS,
    S.REJECTED: None,
    S.RETURNED: None,
    S.SKIPPED: None,
    S.EXPIRED: None,
}


def _holding() -> tuple[Predicate, Predicate]:
    """(holds a slot, holds it until a deadline) from ``HOLDS``."""
    always = STATE.is_in(state for state, hold in HOLDS.items() if hold == ALWAYS)
    until = [
        STATE.eq(state) & (Field(hold, nullable=True) > NOW)
        for state, hold in HOLDS.items()
        if hold not in (None, ALWAYS)
    ]
    return always | Any(until), Any(until)


# The assignment holds a slot of its task at ``now``; and the part of that which ends at a deadline (the
# first such deadline is when a full task is offered again, ``tasks.models.Task.reopen_at``).
HOLDS_SLOT, HOLDS_UNTIL_DEADLINE = _holding()
# The column whose earliest value among a task's holders is when it may have room again (one such column:
# ``results.slots`` takes the minimum of it).
(HOLD_DEADLINE,) = {hold for hold in HOLDS.values() if hold not in (None, ALWAYS)}
# Work that counts against a campaign's cap per worker: what holds a slot, and rejected work.
COUNTS_FOR_CAP = HOLDS_SLOT | STATE.eq(S.REJECTED)
# States whose assignment carries handed-in answers, whatever came of their review: what exports, answer
# keys and quality marks read, and what a worker's "submitted" figure counts.
SUBMITTED_WORK_STATES = (S.SUBMITTED, S.APPROVED, S.REJECTED, S.SOFT_REJECTED)
# Work done (submitted, whatever came of its review), as progress counts it.
DONE_STATES = tuple(state for state, hold in HOLDS.items() if hold == ALWAYS)

# The campaign still takes results (a paused or finished one does: work in hand may be handed in).
CAMPAIGN_TAKES_RESULTS = ~Field("campaign.state").is_in((CampaignState.CANCELLED, CampaignState.ARCHIVED))

_EXPIRES = Field("expires_at")
_REDO_UNTIL = Field("redo_until", nullable=True)
_REVIEW_DUE = Field("review_due_at", nullable=True)
_REVIEWED_AT = Field("reviewed_at", nullable=True)
OPEN = _EXPIRES > NOW
REDO_OPEN = _REDO_UNTIL > NOW
REVIEW_OPEN = _REVIEW_DUE.is_null() | (_REVIEW_DUE > NOW)


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str
    # On the assignment (and ``campaign.…``) at the parameters ``now`` and, for an overturn,
    # ``overturn_since``; None: none beyond the source state. Not checked for ``NEW``.
    guard: Predicate | None = None

    @property
    def stored_sources(self) -> tuple[str, ...]:
        return tuple(sorted(s for s in self.sources if s is not NEW))

    @property
    def allowed(self) -> Predicate:
        """The transition may be made on a stored assignment: it is in a source state and the guard holds."""
        found = STATE.is_in(self.stored_sources)
        return found & self.guard if self.guard is not None else found


def _t(name, sources, target, guard=None) -> Transition:
    return Transition(name, frozenset(sources), target, guard)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        # A worker takes the next task, or a task they previewed or skipped.
        _t("claim", {NEW, S.SKIPPED}, S.ACCEPTED),
        # A requester gives a task to a named worker.
        _t("assign", {NEW, S.SKIPPED}, S.ACCEPTED),
        _t("submit", {S.ACCEPTED}, S.SUBMITTED, OPEN & CAMPAIGN_TAKES_RESULTS),
        _t("redo", {S.SOFT_REJECTED}, S.SUBMITTED, REDO_OPEN & CAMPAIGN_TAKES_RESULTS),
        # Put aside (offered again last): a previewed task, or one in hand.
        _t("skip", {NEW, S.ACCEPTED}, S.SKIPPED, OPEN),
        _t("return", {S.ACCEPTED}, S.RETURNED, OPEN),
        _t("expire", {S.ACCEPTED}, S.EXPIRED, _EXPIRES <= NOW),
        # A redo window that passed without a new submission: no verdict, the slot goes to someone else.
        _t("expire_redo", {S.SOFT_REJECTED}, S.EXPIRED, _REDO_UNTIL <= NOW),
        _t("approve", {S.SUBMITTED, S.SOFT_REJECTED}, S.APPROVED),
        _t("auto_approve", {S.SUBMITTED}, S.APPROVED, _REVIEW_DUE <= NOW),
        _t("reject", {S.SUBMITTED}, S.REJECTED, REVIEW_OPEN),
        _t("soft_reject", {S.SUBMITTED}, S.SOFT_REJECTED, REVIEW_OPEN),
        _t("overturn", {S.REJECTED}, S.APPROVED, _REVIEWED_AT >= Param("overturn_since")),
    )
}

STATES = tuple(S.values)
ACTIONS = tuple(TRANSITIONS)

# A worker's own assignment on a task that lets them claim it again (a skipped one); any other keeps the task
# from being offered to them (``results.claim_sql``, and the counts of tasks on offer).
CLAIMABLE_AGAIN = STATE.is_in(TRANSITIONS["claim"].stored_sources)

# What a worker may hand in now: the guards of a first submission and of a redo.
SUBMITTABLE = TRANSITIONS["submit"].allowed | TRANSITIONS["redo"].allowed
# What may still be paid: work a reviewer may approve now, or work still in hand that may yet be handed in
# and then approved. A closed campaign keeps one unit of its budget frozen for each (``campaigns.budget``).
MAY_STILL_BE_APPROVED = TRANSITIONS["approve"].allowed | SUBMITTABLE


def next_state(state: str | None, action: str) -> str | None:
    """The state after ``action`` from ``state`` (``NEW``: no assignment yet), or None when the table does
    not allow it. Guards are not looked at here; ``allowed`` checks them too."""
    transition = TRANSITIONS[action]
    return transition.target if state in transition.sources else None


def allowed(assignment, action: str, **params) -> bool:
    """Whether ``action`` may be made on the loaded ``assignment`` (with its campaign) at ``params``."""
    return TRANSITIONS[action].allowed.holds(assignment, **params)


def allowed_actions(assignment, **params) -> list[str]:
    return [action for action in ACTIONS if allowed(assignment, action, **params)]


def transition_for_submit(state: str) -> str:
    """Which transition hands in work from ``state``: a redo for soft-rejected work, else a submission."""
    return "redo" if state in TRANSITIONS["redo"].sources else "submit"


def holds_slot(assignment, *, now) -> bool:
    return HOLDS_SLOT.holds(assignment, now=now)


def submittable(assignment, *, now) -> bool:
    """The worker may hand this assignment in at ``now`` (its campaign loaded)."""
    return SUBMITTABLE.holds(assignment, now=now)
