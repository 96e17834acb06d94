"""64 workers claiming and submitting jobs at the same moment: as for template tasks, no job gets more
results than it asks for and no worker gets a job twice."""

import pytest
from django.db.models import Count

from crowdplatform.errors import Conflict
from results.models import Assignment, AssignmentState
from results.services import assignment_submit
from tasks.models import Task
from tasks.services import task_claim_next
from tests.concurrency import at_once, failures
from tests.factories import RequesterFactory, UserFactory

from .conftest import answers_for, job_campaign

CLAIMERS = 64
JOBS = 20
RESULTS_PER_JOB = 3  # 60 places for 64 claimers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("claim_path")
def test_sixty_four_claimers_at_once_fill_a_campaign_of_jobs_exactly():
    # given a campaign of 20 two-screen jobs needing 3 results each (60 places), and 64 workers
    requester = RequesterFactory()
    campaign = job_campaign(requester, jobs=JOBS, results_per_task=RESULTS_PER_JOB)
    workers = [UserFactory() for _ in range(CLAIMERS)]
    # when they all claim at the same moment
    claimed = at_once(*(lambda w=w: task_claim_next(campaign_id=campaign.pk, worker=w) for w in workers))
    # then nobody got an error other than "no task available", and once those who were told so while rows
    # were held by others have asked again (SKIP LOCKED passes over rows held for a moment), exactly 60 have
    # a job and 4 have none
    refused = failures(claimed)
    assert all(isinstance(e, Conflict) and e.code == "no-task-available" for e in refused), refused
    got = [a for a in claimed if not isinstance(a, Exception)]
    for worker in [w for w, outcome in zip(workers, claimed, strict=True) if isinstance(outcome, Exception)]:
        try:
            got.append(task_claim_next(campaign_id=campaign.pk, worker=worker))
        except Conflict as exc:
            assert exc.code == "no-task-available"
    assert len(got) == JOBS * RESULTS_PER_JOB
    assert len({a.worker_id for a in got}) == len(got)
    # and when those 60 submit their answers at the same moment, every one is taken
    jobs = {t.pk: t.job for t in Task.objects.filter(campaign=campaign).select_related("job")}
    submitted = at_once(
        *(
            lambda a=a: assignment_submit(
                assignment_id=a.pk, worker=a.worker, answers=answers_for(jobs[a.task_id])
            )
            for a in got
        )
    )
    assert failures(submitted) == []
    # each job holds exactly its 3 results, from 3 different workers
    assignments = Assignment.objects.filter(campaign=campaign)
    assert assignments.filter(state=AssignmentState.SUBMITTED).count() == JOBS * RESULTS_PER_JOB
    per_job = assignments.values("task").annotate(n=Count("id"), w=Count("worker", distinct=True))
    assert {(row["n"], row["w"]) for row in per_job} == {(RESULTS_PER_JOB, RESULTS_PER_JOB)}
    assert per_job.count() == JOBS
