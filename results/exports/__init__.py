"""The native results exports (CSV and JSON Lines): one row per submitted assignment, streamed.

Memory does not grow with the number of results: on PostgreSQL the CSV is printed by the database
(``COPY (...) TO STDOUT``) and handed on chunk by chunk; JSON Lines, and the CSV elsewhere, come from a
server-side cursor in chunks and are written out as they arrive. The native CSV neutralises cells that a
spreadsheet would run as a formula; JSON Lines is data and keeps values as they are. (The
Turkle-compatible results CSV is a separate export that stays byte-compatible with Turkle.)

- ``columns``: which assignments and columns an export has, and how a value becomes a cell;
- ``streaming``: server-side cursors, chunks, and ``COPY ... TO STDOUT`` pulled through a thread;
- ``csv_lines`` and ``jsonl``: the two formats.
"""

from .columns import EXPORTED_STATES, export_columns
from .csv_lines import results_csv_lines
from .jsonl import results_jsonl_lines

__all__ = ["EXPORTED_STATES", "export_columns", "results_csv_lines", "results_jsonl_lines"]
