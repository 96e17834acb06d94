"""The campaign state machine as pure data and functions (no database)."""

from .models import CampaignState as S

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({S.UNPUBLISHED}), S.ACTIVE),
    "pause": (frozenset({S.ACTIVE}), S.PAUSED),
    "continue": (frozenset({S.PAUSED}), S.ACTIVE),
    "finish": (frozenset({S.ACTIVE, S.PAUSED}), S.FINISHED),
    "cancel": (frozenset({S.UNPUBLISHED, S.ACTIVE, S.PAUSED}), S.CANCELLED),
    "archive": (frozenset({S.UNPUBLISHED, S.FINISHED, S.CANCELLED}), S.ARCHIVED),
    # Back to the state it was archived from (``Campaign.archived_from``); this target only for a campaign
    # archived before that was recorded.
    "unarchive": (frozenset({S.ARCHIVED}), S.FINISHED),
}

ACTIONS = tuple(TRANSITIONS)


def next_state(state: str, action: str) -> str | None:
    """The state after ``action``, or None when the action is not allowed from ``state``."""
    allowed_from, target = TRANSITIONS[action]
    return target if state in allowed_from else None


def allowed_actions(state: str) -> list[str]:
    return [action for action in ACTIONS if next_state(state, action) is not None]


def accepts_work(state: str) -> bool:
    return state == S.ACTIVE


def accepts_new_tasks(state: str) -> bool:
    return state in {S.UNPUBLISHED, S.ACTIVE, S.PAUSED}
