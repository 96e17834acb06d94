"""Reads for review: who may review what, and worker standing (reputation and experience)."""

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from accounts.models import PermissionName
from campaigns.models import Campaign
from campaigns.selectors import campaign_list_for_requester
from crowdplatform.errors import Forbidden, NotFound

from .models import Assignment, AssignmentState


def _may_review(user: User, campaign_id: int, *, missing: NotFound) -> None:
    """404 when the campaign is invisible to the user, 403 when visible but not theirs to review."""
    if (
        campaign_list_for_requester(user=user, permission=PermissionName.RESULTS_REVIEW)
        .filter(pk=campaign_id)
        .exists()
    ):
        return
    for permission in (PermissionName.PROJECTS_READ, PermissionName.RESULTS_READ):
        if campaign_list_for_requester(user=user, permission=permission).filter(pk=campaign_id).exists():
            raise Forbidden(
                "Reviewing these results needs the results.review permission.", code="permission-denied"
            )
    raise missing


def assignment_get_for_review(*, user: User, pk: int) -> Assignment:
    missing = NotFound("No such result.", code="result-not-found")
    assignment = Assignment.objects.select_related("campaign", "worker", "reviewer").filter(pk=pk).first()
    if assignment is None:
        raise missing
    _may_review(user, assignment.campaign_id, missing=missing)
    return assignment


def campaign_get_for_review(*, user: User, pk: int) -> Campaign:
    missing = NotFound("No such campaign.", code="campaign-not-found")
    campaign = Campaign.objects.select_related("project").filter(pk=pk).first()
    if campaign is None:
        raise missing
    _may_review(user, campaign.pk, missing=missing)
    return campaign


def campaign_worker_get(*, campaign: Campaign, pk: int) -> User:
    """A worker who has work in ``campaign`` (which the caller may review); anyone else is a 404."""
    worker = User.objects.filter(pk=pk, assignments__campaign_id=campaign.pk).distinct().first()
    if worker is None:
        raise NotFound("No such worker.", code="worker-not-found", field="worker")
    return worker


def _reviewed_counts(prefix: str, condition: Q) -> dict:
    approved = Q(assignments__state=AssignmentState.APPROVED) & condition
    rejected = Q(assignments__state=AssignmentState.REJECTED) & condition
    return {
        f"{prefix}_approved": Count("assignments", filter=approved),
        f"{prefix}_rejected": Count("assignments", filter=rejected),
    }


def worker_standing_list(
    *, user: User, campaign: Campaign | None = None, in_review: bool = False
) -> QuerySet[User]:
    """Workers who worked on the caller's campaigns (or on one campaign), with counts for their standing.

    "me" counts results in every campaign the caller may read; "global" counts all of the worker's
    results. One query over one join, whatever the page size.
    """
    mine = campaign_list_for_requester(user=user).values("pk")
    scope = (
        Assignment.objects.filter(campaign_id=campaign.pk)
        if campaign
        else Assignment.objects.filter(campaign_id__in=mine)
    )
    annotations = {
        **_reviewed_counts("me", Q(assignments__campaign_id__in=mine)),
        **_reviewed_counts("all", Q()),
    }
    if campaign is not None:
        here = Q(assignments__campaign_id=campaign.pk)
        annotations.update(
            here_in_review=Count(
                "assignments", filter=here & Q(assignments__state=AssignmentState.SUBMITTED)
            ),
            here_approved=Count("assignments", filter=here & Q(assignments__state=AssignmentState.APPROVED)),
            here_rejected=Count("assignments", filter=here & Q(assignments__state=AssignmentState.REJECTED)),
        )
    if in_review:
        scope = scope.filter(state=AssignmentState.SUBMITTED)
    return User.objects.filter(pk__in=scope.values("worker_id")).annotate(**annotations).order_by("pk")


def reputation(approved: int, rejected: int) -> float | None:
    """Share of approved among reviewed results, in percent (seed 004 shows 100 and 99.99)."""
    reviewed = approved + rejected
    return round(approved * 100 / reviewed, 2) if reviewed else None


def standing(worker: User) -> dict:
    row = {
        "id": worker.pk,
        "username": worker.username,
        "reputation": {
            "me": reputation(worker.me_approved, worker.me_rejected),
            "global": reputation(worker.all_approved, worker.all_rejected),
        },
        "experience": {
            "me": worker.me_approved + worker.me_rejected,
            "global": worker.all_approved + worker.all_rejected,
        },
    }
    if hasattr(worker, "here_in_review"):
        row["results"] = {
            "in_review": worker.here_in_review,
            "approved": worker.here_approved,
            "rejected": worker.here_rejected,
        }
    return row
