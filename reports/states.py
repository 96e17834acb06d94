"""Which result states a report reads (names as the assignment lifecycle spells them)."""

from results.lifecycle import STATES

# Every state an assignment can be in: what the progress and workers kinds count.
ALL_STATES = STATES
# Work a worker handed in and that was not turned down: what the answer kinds read by default.
DEFAULT_STATES = ("submitted", "approved")
