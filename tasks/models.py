from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now


class Task(models.Model):
    """One unit of work in a campaign.

    ``is_open`` and ``reopen_at`` are claim bookkeeping so that claiming reads only tasks that may have
    room: a task is open while it has fewer live assignments than ``results_needed``; a full task whose
    slots are held by accepted (not yet submitted) assignments records in ``reopen_at`` the earliest
    moment one of them expires, so it is offered again from then on even before any sweep has run.
    """

    # No index of its own: the unique (campaign, position) index serves every lookup by campaign, and one
    # index less makes bulk ingest faster.
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="tasks", db_index=False
    )
    position = models.PositiveIntegerField(help_text="Order within the campaign (the CSV row for batches).")
    input = models.JSONField(default=dict, blank=True)
    # What the task shows when it is a published job (a list of component screens) rather than the
    # project's template filled with ``input``. Indexed only where set: template tasks, bulk-loaded by
    # the million, pay nothing for it.
    job = models.ForeignKey(
        "projects.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks", db_index=False
    )
    results_needed = models.PositiveIntegerField(default=1)
    is_open = models.BooleanField(default=True)
    reopen_at = models.DateTimeField(null=True, blank=True)
    # The database default lets bulk ingest leave the column out of COPY: parsing a timestamp per row is
    # about a sixth of the database's work there.
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        ordering = ["campaign_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="task_position_unique"),
            models.CheckConstraint(condition=Q(results_needed__gte=1), name="task_results_needed_positive"),
        ]
        indexes = [
            models.Index(
                fields=["campaign", "position"], condition=Q(is_open=True), name="task_open_by_position"
            ),
            models.Index(
                fields=["campaign", "reopen_at"], condition=Q(reopen_at__isnull=False), name="task_reopen_due"
            ),
            models.Index(fields=["job"], condition=Q(job__isnull=False), name="task_by_job"),
        ]

    def __str__(self):
        return f"Task {self.pk} of campaign {self.campaign_id}"


class ImportJob(models.Model):
    """A record of one batch of tasks added to a campaign (CSV or JSON), kept for the admin and the input CSV."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=200, blank=True)
    header = models.JSONField(default=list, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.filename or 'import'} ({self.rows} rows) into campaign {self.campaign_id}"


class TaskBlock(models.Model):
    """Records of a large CSV import, checked and stored as they arrived but not yet written as tasks.

    A million-row upload is answered once its records are stored this way, a few thousand per row, which
    costs a fraction of writing a million indexed task rows; ``tasks.staging`` writes the tasks right after
    the commit, and every reader of a campaign's tasks does it first if it has not happened yet (see
    ``Campaign.tasks_staged``). ``records`` is a JSON array of arrays of strings in the import's header
    order, kept as text: nothing reads it before it becomes tasks.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    import_job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+", db_index=False)
    first_position = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    results_needed = models.PositiveIntegerField()
    records = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "first_position"], name="task_block_position_unique")
        ]

    def __str__(self):
        return f"{self.count} staged tasks from position {self.first_position} of campaign {self.campaign_id}"


class MediaKind(models.TextChoices):
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"


class MediaFile(models.Model):
    """An uploaded picture, sound or film: component media a requester shows in screens, or a recording or
    drawing a worker made for a task.

    Stored through Django's storage API (``STORAGES["default"]``), named by its random ``key`` and the
    extension of the type found in its bytes, never by the uploaded name. Served only through
    ``tasks.media`` to those who may see it: its owner, and for component media the workers offered a job
    that shows it, for worker media the requester of the task it was made for.
    """

    key = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Set for a worker's recording or drawing: the task of the assignment it was made for.
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=MediaKind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to="crowd/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MediaKind.values), name="media_kind_valid"),
        ]

    def __str__(self):
        return f"{self.kind} {self.key}"
