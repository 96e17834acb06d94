from django.conf import settings
from django.db import models
from django.db.models import Q


class AssignmentState(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    SUBMITTED = "submitted", "Submitted (in review)"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SOFT_REJECTED = "soft_rejected", "Soft-rejected (redo allowed)"
    RETURNED = "returned", "Returned"
    SKIPPED = "skipped", "Skipped"
    EXPIRED = "expired", "Expired"


class Assignment(models.Model):
    """One worker on one task."""

    # No single-column indexes on these three: the unique (task, worker) constraint and the composite
    # indexes below lead with each of them, and every index is one more write on each claim, submit and
    # approval.
    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    state = models.CharField(max_length=16, choices=AssignmentState.choices, default=AssignmentState.ACCEPTED)
    answers = models.JSONField(default=dict, blank=True)
    accepted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was returned, skipped or expired."
    )
    # Review (approval, rejection, soft rejection with a redo deadline).
    review_due_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Never searched by reviewer; an index here would be one more write on every approval.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    feedback = models.TextField(blank=True)
    redo_until = models.DateTimeField(null=True, blank=True)
    quality = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "worker"], name="assignment_one_per_worker_and_task"),
            models.CheckConstraint(
                condition=Q(state__in=AssignmentState.values), name="assignment_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(quality__isnull=True) | Q(quality__lte=100), name="assignment_quality_range"
            ),
        ]
        # No (task, state) index: the unique (task, worker) index leads with the task and serves every
        # lookup of a task's assignments (a handful of rows each), and an index keyed on the state is one
        # more write on every claim, submit and approval.
        indexes = [
            models.Index(fields=["campaign", "state", "submitted_at"]),
            # The worker's assignments by state (their lists), and per state the furthest task they have
            # had in a campaign (where the claim's ahead pick starts, results/claim_sql.py).
            models.Index(fields=["worker", "state", "campaign", "task"], name="assignment_by_worker"),
            models.Index(fields=["expires_at"], condition=Q(state="accepted"), name="assignment_expiry_due"),
            models.Index(
                fields=["review_due_at"], condition=Q(state="submitted"), name="assignment_review_due"
            ),
            models.Index(
                fields=["redo_until"], condition=Q(state="soft_rejected"), name="assignment_redo_due"
            ),
        ]

    def __str__(self):
        return f"Assignment {self.pk} ({self.state})"
