from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from crowdplatform import limits


class CampaignState(models.TextChoices):
    UNPUBLISHED = "unpublished", "Unpublished"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    FINISHED = "finished", "Finished"
    CANCELLED = "cancelled", "Cancelled"
    ARCHIVED = "archived", "Archived"


# The campaign's texts for workers: possibly long, read by pages, left out of the hot paths' rows.
CAMPAIGN_TEXTS = frozenset({"description", "terms"})


class Campaign(models.Model):
    """The publication of a project's work under conditions. A Turkle batch is a campaign."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=200)
    # What workers are told before they accept: a title (the name when empty), what the work is, the terms
    # they agree to by working, and about how long one task takes.
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    est_duration_s = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_TIME_ALLOWED_S)],
        help_text="About how many seconds one task takes, as workers are told.",
    )
    state = models.CharField(max_length=12, choices=CampaignState.choices, default=CampaignState.UNPUBLISHED)
    results_per_task = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_RESULTS_PER_TASK)]
    )
    max_results_per_worker = models.PositiveIntegerField(
        null=True, blank=True, help_text="Cap of tasks one worker may do; empty = no cap."
    )
    restricted = models.BooleanField(default=False, help_text="Only the listed workers and groups may work.")
    worker_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    worker_groups = models.ManyToManyField(Group, blank=True, related_name="+")
    time_allowed_s = models.PositiveIntegerField(
        default=3600,
        validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_TIME_ALLOWED_S)],
        help_text="Seconds a worker has for one assignment.",
    )
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    login_required = models.BooleanField(default=True)
    training = models.BooleanField(default=False)
    filename = models.CharField(max_length=200, blank=True)
    payment_per_result = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    review_window_s = models.PositiveIntegerField(
        default=3 * 24 * 3600,
        validators=[MaxValueValidator(limits.MAX_REVIEW_WINDOW_S)],
        help_text="Results not reviewed within this time are approved.",
    )
    tasks_count = models.PositiveIntegerField(default=0, editable=False)
    # Tasks counted in ``tasks_count`` whose rows are not written yet (``tasks.models.TaskBlock``): nonzero
    # only for a few seconds after a large CSV import. Readers of the campaign's tasks check it first.
    tasks_staged = models.PositiveIntegerField(default=0, editable=False)
    # Money, set when the campaign is published: the commission rate and fee per result are fixed then
    # so later changes to the requester's rate never change what was promised; ``frozen_amount`` is the
    # part of the requester's frozen balance held for this campaign.
    commission_rate = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True, editable=False
    )
    fee_per_result = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    frozen_amount = models.DecimalField(
        max_digits=16, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    # The state an archived campaign was archived from, which unarchiving restores.
    archived_from = models.CharField(max_length=12, blank=True, default="", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=CampaignState.values), name="campaign_state_valid"),
            models.CheckConstraint(
                condition=Q(results_per_task__gte=1), name="campaign_results_per_task_positive"
            ),
            models.CheckConstraint(
                condition=Q(payment_per_result__gte=0), name="campaign_payment_not_negative"
            ),
            models.CheckConstraint(condition=Q(frozen_amount__gte=0), name="campaign_frozen_not_negative"),
        ]
        indexes = [
            models.Index(fields=["state", "start_at"], name="campaign_due_start"),
            models.Index(fields=["state", "end_at"], name="campaign_due_end"),
            models.Index(fields=["state"], condition=Q(frozen_amount__gt=0), name="campaign_holding_money"),
            # Nearly always empty: readers of tasks look here first (tasks.staging).
            models.Index(fields=["id"], condition=Q(tasks_staged__gt=0), name="campaign_tasks_staged"),
        ]

    def __str__(self):
        return self.name

    @property
    def shown_title(self) -> str:
        """The title workers see."""
        return self.title or self.name

    @property
    def shown_description(self) -> str:
        """What workers read about the work: the campaign's own description, else its project's."""
        return self.description or self.project.description
