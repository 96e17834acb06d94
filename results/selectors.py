"""Reads on assignments and results, scoped to the caller."""

from django.contrib.auth.models import User
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import PermissionName
from campaigns.selectors import campaign_list_for_requester
from crowdplatform.errors import NotFound

from .models import Assignment


def assignment_count(fk: str, condition: Q | None = None):
    """How many assignments (meeting ``condition``) each row of a list has, as a correlated subquery.

    The database computes it only for the rows it returns (a page), through the index on ``fk``, instead of
    joining and grouping every assignment of the table first; and a paginator's total leaves it out.
    """
    counted = (
        Assignment.objects.filter(condition or Q(), **{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def assignment_list_for_requester(
    *, user: User, permission: str = PermissionName.RESULTS_READ
) -> QuerySet[Assignment]:
    """Assignments in campaigns whose results the user may read (owner, or ``results.read`` at any scope)."""
    campaigns = campaign_list_for_requester(user=user, permission=permission).values("pk")
    return Assignment.objects.filter(campaign__in=campaigns).select_related("worker", "task").order_by("id")


def assignment_get_for_requester(
    *, user: User, pk: int, permission: str = PermissionName.RESULTS_READ
) -> Assignment:
    assignment = assignment_list_for_requester(user=user, permission=permission).filter(pk=pk).first()
    if assignment is None:
        raise NotFound("No such assignment.", code="assignment-not-found")
    return assignment


def assignment_list_for_worker(*, user: User) -> QuerySet[Assignment]:
    """The worker's own assignments, newest first."""
    return (
        Assignment.objects.filter(worker=user)
        .select_related("task", "campaign", "campaign__project")
        .order_by("-id")
    )


def assignment_get_for_worker(*, user: User, pk: int) -> Assignment:
    assignment = assignment_list_for_worker(user=user).filter(pk=pk).first()
    if assignment is None:
        raise NotFound("No such assignment.", code="assignment-not-found")
    return assignment
