"""Reads for the worker pages: the worker's own assignments, history and figures."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Case, Count, F, Q, QuerySet, Sum, When
from django.utils import timezone

from accounts.models import LedgerEntry, Wallet
from accounts.selectors import ledger_entry_list
from campaigns.models import Campaign
from campaigns.selectors import campaign_get_for_worker
from crowdplatform.errors import NotFound
from projects.models import JobScreen, Screen
from results.lifecycle import SUBMITTED_WORK_STATES, TRANSITIONS
from results.models import Assignment, AssignmentState
from tasks.models import Task

from .frames import submit_token_read


def _own(worker: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(worker=worker).select_related("task", "campaign", "campaign__project")


def assignment_get_for_worker(*, worker: User, pk: int) -> Assignment:
    """One of the worker's own assignments; anybody else's is a 404."""
    assignment = _own(worker).filter(pk=pk).first()
    if assignment is None:
        raise NotFound("No such assignment.", code="assignment-not-found")
    return assignment


def assignment_list_open(*, worker: User, now=None) -> QuerySet[Assignment]:
    """Work in hand the worker may still submit (the lifecycle's ``submit``), soonest deadline first."""
    allowed = TRANSITIONS["submit"].allowed.as_q(now=now or timezone.now())
    return _own(worker).filter(allowed).order_by("expires_at")


def assignment_list_redo(*, worker: User, now=None) -> QuerySet[Assignment]:
    """Sent-back work the worker may still redo (the lifecycle's ``redo``), soonest deadline first."""
    allowed = TRANSITIONS["redo"].allowed.as_q(now=now or timezone.now())
    return _own(worker).filter(allowed).order_by("redo_until")


def assignment_list_history(*, worker: User) -> QuerySet[Assignment]:
    """Everything the worker accepted or skipped, newest first (open work included)."""
    return _own(worker).order_by("-accepted_at", "-id")


def worker_stats(*, worker: User) -> dict[str, int]:
    """Counts of the worker's results by outcome, in one query."""
    s = AssignmentState
    counts = Assignment.objects.filter(worker=worker).aggregate(
        submitted=Count("id", filter=Q(state__in=SUBMITTED_WORK_STATES)),
        in_review=Count("id", filter=Q(state=s.SUBMITTED)),
        approved=Count("id", filter=Q(state=s.APPROVED)),
        rejected=Count("id", filter=Q(state=s.REJECTED)),
        soft_rejected=Count("id", filter=Q(state=s.SOFT_REJECTED)),
        returned=Count("id", filter=Q(state__in=[s.RETURNED, s.EXPIRED])),
        skipped=Count("id", filter=Q(state=s.SKIPPED)),
    )
    reviewed = counts["approved"] + counts["rejected"]
    counts["approval_rate"] = round(100 * counts["approved"] / reviewed) if reviewed else None
    return counts


# What the payments page lists: money for work, and corrections either way.
PAYMENT_KINDS = (LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.ADJUST)


def worker_earnings(*, worker: User) -> dict:
    """Paid (the ledger's payments to the worker), pending review (submitted work at its campaign's
    payment) and the wallet's balance."""
    paid = (
        ledger_entry_list(user=worker).filter(kind=LedgerEntry.Kind.PAYMENT).aggregate(n=Sum("amount"))["n"]
    )
    pending = Assignment.objects.filter(worker=worker, state=AssignmentState.SUBMITTED).aggregate(
        n=Sum("campaign__payment_per_result")
    )["n"]
    balance = Wallet.objects.filter(user=worker).values_list("available", flat=True).first()
    zero = Decimal("0.00")
    return {
        "paid": paid or zero,
        "pending": pending or zero,
        "balance": balance if balance is not None else zero,
        "currency": settings.CROWD_CURRENCY,
    }


def payment_list(*, worker: User) -> QuerySet[LedgerEntry]:
    """The worker's payments and adjustments, newest first, each with its signed ``change`` to the balance."""
    return (
        ledger_entry_list(user=worker)
        .filter(kind__in=PAYMENT_KINDS)
        .annotate(change=Case(When(to_wallet__user=worker, then=F("amount")), default=-F("amount")))
    )


def campaign_names(entries) -> dict[int, str]:
    """Names of the campaigns a page of ledger entries names (the ledger keeps plain ids), in one query."""
    ids = {e.campaign_id for e in entries if e.campaign_id}
    return dict(Campaign.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def task_get_for_preview(*, worker: User, pk: int) -> Task:
    """A task of a campaign the worker may work on now (404/409 as ``campaign_get_for_worker`` decides)."""
    task = Task.objects.filter(pk=pk).first()
    if task is None:
        raise NotFound("No such task.", code="task-not-found")
    task.campaign = campaign_get_for_worker(user=worker, pk=task.campaign_id)
    return task


def assignment_get_for_submit(*, pk: int, token: str) -> Assignment | None:
    """The assignment a framed form's token was made for; None if the token is not good for it now.

    The frame posts from an opaque origin without the session, so the signed token is the credential.
    """
    assignment = Assignment.objects.select_related("campaign", "worker").filter(pk=pk).first()
    if assignment is None or submit_token_read(token, assignment=assignment) is None:
        return None
    return assignment


def job_screens(*, job_id: int) -> list[Screen]:
    """The screens of a job in their order (a screen may come twice), for a task the caller may already see."""
    places = JobScreen.objects.filter(job_id=job_id).select_related("screen").order_by("position")
    return [place.screen for place in places]
