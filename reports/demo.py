"""Demo data for reports (``manage.py seed_demo``): a finished campaign in the demo project, answered by a
small crowd of demo workers through the same claim, submit and review services as real work, with a
published ``aggregate`` and ``workers`` version."""

from __future__ import annotations

import csv
import random

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from campaigns import services as campaign_services
from campaigns.models import Campaign
from projects.models import Project
from results.claim import assignment_claim_next
from results.decisions import assignment_approve, assignment_reject
from results.services import assignment_submit
from tasks.ingest import tasks_ingest_rows

from .models import Report
from .services import report_create, report_run_now, version_publish

CAMPAIGN_NAME = "Street scenes, last week (finished)"
CROWD = (("crowd-ada", 0.95), ("crowd-bo", 0.9), ("crowd-cy", 0.85), ("crowd-di", 0.75), ("crowd-ed", 0.6))
TASKS = 24


def _crowd() -> list[tuple[User, float]]:
    people = []
    for username, accuracy in CROWD:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people.append((user, accuracy))
    return people


@transaction.atomic
def _answered_campaign(project: Project, requester: User) -> Campaign:
    rng = random.Random(2026)
    campaign = campaign_services.campaign_create(
        project=project, created_by=requester, name=CAMPAIGN_NAME, results_per_task=5
    )
    with open(settings.BASE_DIR / "demo" / "image_contains.csv", newline="") as handle:
        pictures = list(csv.DictReader(handle))  # the demo's own pictures, asked about again
    rows = [{**pictures[i % len(pictures)], "gold": rng.choice(("yes", "no"))} for i in range(TASKS)]
    tasks_ingest_rows(campaign=campaign, rows=rows, created_by=requester, filename="street-scenes.json")
    campaign = campaign_services.campaign_publish(campaign=campaign)
    for worker, accuracy in _crowd():
        for _ in range(TASKS):
            assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
            answer = (
                assignment.task.input["gold"]
                if rng.random() < accuracy
                else rng.choice(("no", "unsure", "yes"))
            )
            also = sorted(rng.sample(["person", "animal", "vehicle"], rng.randint(0, 2)))
            submitted = assignment_submit(
                assignment_id=assignment.pk,
                worker=worker,
                answers={"contains": answer, "also": also, "comment": ""},
            )
            if answer == assignment.task.input["gold"]:
                assignment_approve(assignment_id=submitted.pk, reviewer=requester)
            elif rng.random() < 0.5:
                assignment_reject(
                    assignment_id=submitted.pk, reviewer=requester, reason="The picture says otherwise."
                )
    return campaign_services.campaign_finish(campaign=campaign)


def seed_demo_reports(*, project: Project, requester: User) -> list[Report]:
    """The finished campaign and its two published reports; nothing is added twice."""
    campaign = Campaign.objects.filter(project=project, name=CAMPAIGN_NAME).first()
    if campaign is None:
        campaign = _answered_campaign(project, requester)
    made = []
    for name, kind, params in (
        ("street-scenes-answers", "aggregate", {"method": "dawid_skene", "fields": ["contains", "also"]}),
        (
            "street-scenes-workers",
            "workers",
            {"gold_field": "gold", "answer_field": "contains", "fields": ["contains"]},
        ),
    ):
        report = Report.objects.filter(name=name).first()
        if report is None:
            report = report_create(
                user=requester,
                name=name,
                kind=kind,
                scope="campaign",
                scope_id=campaign.pk,
                display_name=f"Street scenes: {kind}",
                parameters=params,
            )
        if not report.versions.filter(published=True).exists():
            run = report_run_now(
                user=requester, report=report, changelog={"message": "Demo data", "type": "public"}
            )
            if run.version is not None:
                version_publish(version=run.version)
        made.append(report)
    return made
