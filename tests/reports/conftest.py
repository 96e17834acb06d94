"""A campaign with known true answers and workers of known accuracy, for the report tests."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from results.models import Assignment, AssignmentState
from tests.factories import CampaignFactory, TaskFactory, UserFactory

LABELS = ("cat", "dog", "bird")


def synthetic_campaign(*, tasks=60, workers=8, per_task=5, seed=7, gold_every=0, campaign=None):
    """Tasks whose true label is known, answered by workers of known accuracy (first ones best)."""
    rng = np.random.default_rng(seed)
    campaign = campaign or CampaignFactory(results_per_task=per_task)
    accuracy = np.linspace(0.95, 0.4, workers)
    people = [UserFactory() for _ in range(workers)]
    truth = {}
    start = timezone.now() - timedelta(days=3)
    rows = []
    for position in range(tasks):
        label = LABELS[int(rng.integers(len(LABELS)))]
        data = {"text": f"item {position}"}
        if gold_every and position % gold_every == 0:
            data["gold"] = label
        task = TaskFactory(campaign=campaign, position=position, input=data, results_needed=per_task)
        truth[task.pk] = label
        for w in rng.choice(workers, per_task, replace=False):
            right = rng.random() < accuracy[w]
            # Reviewers caught some of the wrong answers; the rest still wait in review.
            state = AssignmentState.APPROVED if right else AssignmentState.SUBMITTED
            if not right and rng.random() < 0.3:
                state = AssignmentState.REJECTED
            answer = label if right else LABELS[(LABELS.index(label) + int(rng.integers(1, 3))) % 3]
            accepted = start + timedelta(minutes=position * 7 + int(w))
            rows.append(
                Assignment(
                    task=task,
                    campaign=campaign,
                    worker=people[w],
                    state=state,
                    answers={"label": answer, "comment": f"note {position}-{w}"},
                    accepted_at=accepted,
                    expires_at=accepted + timedelta(hours=1),
                    submitted_at=accepted + timedelta(seconds=30 + int(w) * 5),
                    reviewed_at=accepted + timedelta(hours=2) if state != AssignmentState.SUBMITTED else None,
                )
            )
    Assignment.objects.bulk_create(rows)
    return campaign, truth, people


@pytest.fixture
def campaign_with_truth(db):
    return synthetic_campaign()
