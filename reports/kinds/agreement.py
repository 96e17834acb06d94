"""``agreement``: how much workers agree, per field (Krippendorff's alpha; Fleiss' kappa where every task has
the same number of answers), and each worker's agreement with the aggregate."""

from __future__ import annotations

import numpy as np

from ..aggregation import fleiss_kappa, krippendorff_alpha_nominal
from .common import aggregated, encoded_answers

FIELD_HEADER = ["field", "krippendorff_alpha", "fleiss_kappa", "tasks", "answers", "labels"]
WORKER_HEADER = ["worker_id", "worker", "field", "answers", "agreement_with_aggregate"]


def _number(value):
    return "" if value is None else round(value, 6)


def worker_agreement(found) -> tuple[np.ndarray, np.ndarray]:
    """Per worker: answers given, and the share of them equal to the aggregate."""
    a = found.answers
    counts = np.bincount(a.workers, minlength=a.n_workers)
    same = found.aggregate.labels[a.tasks] == a.labels
    agreeing = np.bincount(a.workers, weights=same.astype(np.float64), minlength=a.n_workers)
    share = np.divide(agreeing, counts, out=np.full(a.n_workers, np.nan), where=counts > 0)
    return counts, share


def run(ctx) -> None:
    encoded = encoded_answers(ctx, with_all_tasks=False)
    fields = [f for f in aggregated(ctx, encoded, ctx.params["method"]) if f.aggregate is not None]
    per_field = []
    for found in fields:
        a = found.answers
        per_field.append(
            [
                found.name,
                _number(krippendorff_alpha_nominal(a)),
                _number(fleiss_kappa(a)),
                int(np.count_nonzero(np.bincount(a.tasks, minlength=a.n_tasks))),
                len(a.tasks),
                len(found.labels),
            ]
        )
    ctx.data("agreement", FIELD_HEADER, per_field)
    ctx.artefact_table("agreement.csv", FIELD_HEADER, per_field, description="Agreement per field")
    names = ctx.source.worker_names()

    def worker_rows():
        for found in fields:
            counts, share = worker_agreement(found)
            for index, worker_id in enumerate(encoded.worker_ids):
                if counts[index]:
                    yield [
                        worker_id,
                        names.get(worker_id, ""),
                        found.name,
                        int(counts[index]),
                        round(float(share[index]), 6),
                    ]

    ctx.artefact_table(
        "worker_agreement.csv",
        WORKER_HEADER,
        worker_rows(),
        description="Each worker's agreement with the aggregate",
    )
