"""Submitting reads the assignment, checks it, then changes it with one conditional UPDATE."""

import pytest

from results import claim_sql, services
from results.claim import assignment_claim_next
from results.models import Assignment, AssignmentState
from results.services import assignment_submit
from tests.factories import CampaignFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_assignment_expired_between_the_check_and_the_update_is_not_submitted(monkeypatch):
    # given the statement-by-statement submit (the one every database has; PostgreSQL's one-call submit has
    # no gap between a check and the write)
    monkeypatch.setattr(claim_sql, "one_call_available", lambda: False)
    # and an accepted assignment that a sweep expires right after the submit has checked it
    campaign = CampaignFactory()
    TaskFactory(campaign=campaign)
    worker = UserFactory()
    held = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    check = services._check_submittable
    checks = []

    def check_then_sweep(assignment, now):
        check(assignment, now)
        if not checks:
            Assignment.objects.filter(pk=assignment.pk).update(state=AssignmentState.EXPIRED)
        checks.append(assignment.state)

    monkeypatch.setattr(services, "_check_submittable", check_then_sweep)
    # when the worker submits
    with pytest.raises(services.Conflict) as err:
        assignment_submit(assignment_id=held.pk, worker=worker, answers={"label": "late"})
    # then the submit says what the assignment had become, and wrote nothing (the sweep, simulated inside
    # the submit's own transaction, is rolled back with it)
    stored = Assignment.objects.get(pk=held.pk)
    assert (err.value.code, err.value.extra) == ("assignment-closed", {"state": AssignmentState.EXPIRED})
    assert (stored.state, stored.answers, stored.submitted_at) == (AssignmentState.ACCEPTED, {}, None)
