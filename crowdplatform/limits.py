"""Bounds on the numbers requesters set, shared by the models (the admin's forms) and every API surface.

A value out of range is refused as a 400 naming its field, instead of failing later: a time limit of
a million years cannot be added to a date when a worker claims, and PostgreSQL's integer columns stop at
2**31 - 1.
"""

# A year: Mechanical Turk's own limit on an assignment's duration.
MAX_TIME_ALLOWED_S = 365 * 24 * 3600
MAX_TIME_ALLOWED_HOURS = MAX_TIME_ALLOWED_S // 3600
MAX_RESULTS_PER_TASK = 1_000_000
MAX_REVIEW_WINDOW_S = MAX_TIME_ALLOWED_S
# Any other count stored in an integer column.
MAX_INTEGER = 2**31 - 1
# Project priority, either way.
MAX_PRIORITY = 1_000_000
# Nesting of a JSON request body (answers, task inputs, any field): deeper is refused by the parser, well
# below what Python's parser, orjson (255) and the renderers can take.
MAX_JSON_DEPTH = 64
