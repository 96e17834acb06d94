"""Campaign timers: publish at ``start_at``, finish at ``end_at``, and settle money of closed campaigns.

Each sweep picks due campaigns through an indexed deadline, then moves each one in its own short
transaction under its row lock (``SKIP LOCKED``, so concurrent sweeps share the work); the state check
under the lock makes a second run a no-op.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from crowdplatform.errors import ApplicationError

from .budget import CLOSED_CAMPAIGN_STATES, campaign_budget_release
from .models import Campaign, CampaignState
from .services import campaign_finish, campaign_publish

logger = logging.getLogger(__name__)


def _each_locked(due, action) -> int:
    done = 0
    for pk in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                campaign = due.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
                if campaign is not None:
                    action(campaign)
                    done += 1
        except ApplicationError as exc:
            # Typically a requester short of money at start_at: the campaign waits and is retried next run.
            logger.warning("Campaign %s was left as it is: %s (%s)", pk, exc.message, exc.code)
    return done


def campaigns_start_due(*, now: datetime | None = None) -> int:
    """Publish unpublished campaigns whose start has come (freezing their budget)."""
    now = now or timezone.now()
    due = Campaign.objects.filter(state=CampaignState.UNPUBLISHED, start_at__lte=now).order_by("start_at")
    return _each_locked(due, lambda c: campaign_publish(campaign=c))


def campaigns_finish_due(*, now: datetime | None = None) -> int:
    """Finish live campaigns whose end has passed (releasing the money no longer needed)."""
    now = now or timezone.now()
    due = Campaign.objects.filter(
        state__in=[CampaignState.ACTIVE, CampaignState.PAUSED], end_at__lte=now
    ).order_by("end_at")
    return _each_locked(due, lambda c: campaign_finish(campaign=c))


def campaigns_settle_closed(*, now: datetime | None = None) -> int:
    """Release what closed campaigns still hold once the work it was kept for has ended."""
    now = now or timezone.now()
    due = Campaign.objects.filter(state__in=CLOSED_CAMPAIGN_STATES, frozen_amount__gt=0).select_related(
        "project"
    )
    released = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            campaign = due.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
            if campaign is not None and campaign_budget_release(campaign=campaign, now=now) > 0:
                released += 1
    return released
