"""The assignment's lifecycle as data: the table, its guards and its slots, without a database."""

import itertools
import pathlib
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from campaigns.models import CampaignState
from results import lifecycle
from results.lifecycle import NEW, TRANSITIONS, next_state
from results.models import Assignment
from results.models import AssignmentState as S

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
PAST, FUTURE = NOW - timedelta(minutes=1), NOW + timedelta(minutes=1)

# The lifecycle as the design describes it, written out in full: (action, from) -> to. Every pair missing
# here must be refused.
EXPECTED = {
    ("claim", NEW): S.ACCEPTED,
    ("claim", S.SKIPPED): S.ACCEPTED,
    ("assign", NEW): S.ACCEPTED,
    ("assign", S.SKIPPED): S.ACCEPTED,
    ("submit", S.ACCEPTED): S.SUBMITTED,
    ("redo", S.SOFT_REJECTED): S.SUBMITTED,
    ("skip", NEW): S.SKIPPED,
    ("skip", S.ACCEPTED): S.SKIPPED,
    ("return", S.ACCEPTED): S.RETURNED,
    ("expire", S.ACCEPTED): S.EXPIRED,
    ("expire_redo", S.SOFT_REJECTED): S.EXPIRED,
    ("approve", S.SUBMITTED): S.APPROVED,
    ("approve", S.SOFT_REJECTED): S.APPROVED,
    ("auto_approve", S.SUBMITTED): S.APPROVED,
    ("reject", S.SUBMITTED): S.REJECTED,
    ("soft_reject", S.SUBMITTED): S.SOFT_REJECTED,
    ("overturn", S.REJECTED): S.APPROVED,
}
STATES = [NEW, *S.values]


@pytest.mark.parametrize(("state", "action"), list(itertools.product(STATES, lifecycle.ACTIONS)))
def test_next_state_follows_the_table_for_every_state_and_action(state, action):
    # given a state (or no assignment yet) and an action, when the next state is asked for
    # then it is the one the lifecycle names, or None where the action is not allowed from there
    assert next_state(state, action) == EXPECTED.get((action, state))


def test_the_table_names_the_actions_the_platform_offers_and_only_known_states():
    assert set(lifecycle.ACTIONS) == {action for action, _ in EXPECTED}
    targets = {t.target for t in TRANSITIONS.values()}
    sources = {s for t in TRANSITIONS.values() for s in t.sources}
    assert targets | (sources - {NEW}) <= set(S.values)


def test_every_state_says_whether_it_holds_a_slot_and_the_database_accepts_exactly_the_states():
    assert set(lifecycle.HOLDS) == set(S.values)
    constraint = next(c for c in Assignment._meta.constraints if c.name == "assignment_state_valid")
    assert sorted(constraint.condition.children[0][1]) == sorted(lifecycle.STATES)


def _assignment(
    state, *, expires=FUTURE, redo=None, review_due=None, reviewed=None, campaign=CampaignState.ACTIVE
):
    return SimpleNamespace(
        state=state,
        expires_at=expires,
        redo_until=redo,
        review_due_at=review_due,
        reviewed_at=reviewed,
        campaign=SimpleNamespace(state=campaign),
    )


MOMENTS = [None, PAST, FUTURE]
ROWS = [
    _assignment(state, expires=expires, redo=redo, review_due=due, reviewed=reviewed, campaign=campaign)
    for state, expires, redo, due, reviewed, campaign in itertools.product(
        S.values,
        [PAST, FUTURE],
        MOMENTS,
        MOMENTS,
        MOMENTS,
        [CampaignState.ACTIVE, CampaignState.PAUSED, CampaignState.CANCELLED, CampaignState.ARCHIVED],
    )
]


def _after(moment) -> bool:
    return moment is not None and moment > NOW


def _spec(action: str, a) -> bool:
    """Each guard in words: what may be done to a stored assignment at NOW."""
    takes_results = a.campaign.state not in (CampaignState.CANCELLED, CampaignState.ARCHIVED)
    since = NOW - timedelta(days=1)
    return {
        "claim": a.state == S.SKIPPED,
        "assign": a.state == S.SKIPPED,
        "submit": a.state == S.ACCEPTED and _after(a.expires_at) and takes_results,
        "redo": a.state == S.SOFT_REJECTED and _after(a.redo_until) and takes_results,
        "skip": a.state == S.ACCEPTED and _after(a.expires_at),
        "return": a.state == S.ACCEPTED and _after(a.expires_at),
        "expire": a.state == S.ACCEPTED and not _after(a.expires_at),
        "expire_redo": a.state == S.SOFT_REJECTED and a.redo_until is not None and a.redo_until <= NOW,
        "approve": a.state in (S.SUBMITTED, S.SOFT_REJECTED),
        "auto_approve": a.state == S.SUBMITTED and a.review_due_at is not None and a.review_due_at <= NOW,
        "reject": a.state == S.SUBMITTED and (a.review_due_at is None or a.review_due_at > NOW),
        "soft_reject": a.state == S.SUBMITTED and (a.review_due_at is None or a.review_due_at > NOW),
        "overturn": a.state == S.REJECTED and a.reviewed_at is not None and a.reviewed_at >= since,
    }[action]


@pytest.mark.parametrize("action", lifecycle.ACTIONS)
def test_each_guard_allows_exactly_what_its_rule_says_on_every_kind_of_row(action):
    # given every combination of state, deadlines (none, passed, to come) and campaign state
    # when the lifecycle is asked whether the action may be made at NOW
    found = [lifecycle.allowed(row, action, now=NOW, overturn_since=NOW - timedelta(days=1)) for row in ROWS]
    # then it answers what the rule in words says, row by row
    assert found == [_spec(action, row) for row in ROWS]


def test_holding_a_slot_and_being_submittable_are_the_rules_in_words():
    for row in ROWS:
        holds = row.state in (S.SUBMITTED, S.APPROVED, S.SOFT_REJECTED) or (
            row.state == S.ACCEPTED and _after(row.expires_at)
        )
        assert lifecycle.holds_slot(row, now=NOW) == holds
        assert lifecycle.submittable(row, now=NOW) == (_spec("submit", row) or _spec("redo", row))


# Where an assignment's state may be written: the one writer, and the statements rendered from its table.
STATE_WRITERS = {"results/transitions.py", "results/claim_sql.py", "results/submit_sql.py"}
ROOT = pathlib.Path(__file__).resolve().parents[2]
_ARGUMENTS = r"\((?:[^()]|\([^()]*\))*"
STATE_WRITE = re.compile(
    "|".join(
        (
            rf"\.update{_ARGUMENTS}\bstate\s*=(?!=)",  # an UPDATE through the ORM
            r"SET\s+state\s*=",  # ... or in SQL
            r"^\s*\w*assignment\.state\s*=(?!=)",  # a loaded assignment's state set
            rf"Assignment(?:\.objects\.\w*create\w*)?{_ARGUMENTS}[\"']?state[\"']?\s*[=:]",  # a new one's
        )
    ),
    re.S | re.M,
)


def test_no_module_but_the_lifecycle_writer_changes_an_assignments_state():
    # given every module of the code base that deals with assignments (not tests, not migrations)
    offenders = []
    for path in sorted(ROOT.glob("**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "bench/")) or "/migrations/" in relative:
            continue
        text = path.read_text()
        if "Assignment" not in text and "results_assignment" not in text:
            continue
        # when it is searched for writes of a state
        if STATE_WRITE.search(text) and relative not in STATE_WRITERS:
            offenders.append(relative)
    # then only the lifecycle's writer and the fast paths' statements rendered from its table write one
    assert offenders == []
