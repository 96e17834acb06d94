"""Admin actions on assignments for review (approve, reject, ...). The Assignment admin lists them."""

REVIEW_ACTIONS: list = []
