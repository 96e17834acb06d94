"""Turkle's batch files are the engine's batch CSV files (``results.batch_csv``), the same bytes the admin
serves; the dialect adds only its routes."""

from results.batch_csv import (  # noqa: F401  (the dialect's names for them)
    FIXED_COLUMNS,
    TIME_FORMAT,
    batch_columns,
    chunked,
    input_csv_lines,
    input_row,
    results_csv_lines,
    results_filename,
    results_header,
    results_row,
    turkle_time,
)
