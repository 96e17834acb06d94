"""``results``: the results table of the scope, as the native exports write it (CSV and JSON Lines)."""

from __future__ import annotations

import csv
import io


def _write(path, chunks) -> None:
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk.encode() if isinstance(chunk, str) else chunk)


def run(ctx) -> None:
    single = len(ctx.source.campaign_ids()) == 1
    data_path = None
    for campaign_id, csv_chunks, jsonl_chunks in ctx.source.exports():
        ctx.check()
        stem = "results" if single else f"results-{campaign_id}"
        csv_path = ctx.artefact(
            f"{stem}.csv", format="data", description=f"Results of campaign {campaign_id}"
        )
        _write(csv_path, csv_chunks)
        _write(
            ctx.artefact(
                f"{stem}.jsonl", format="data", description=f"Results of campaign {campaign_id}, JSON Lines"
            ),
            jsonl_chunks,
        )
        data_path = data_path or csv_path
        ctx.log(f"[ artefact ] {stem}.csv: {csv_path.stat().st_size} bytes")
    with data_path.open(encoding="utf-8", newline="") if data_path else io.StringIO("") as table:
        rows = csv.reader(table)
        header = next(rows, ["assignment_id"])
        ctx.data("results", header, rows)
