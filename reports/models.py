"""Reports (seed 003): named analyses of a campaign's or a project's results, run in the queue.

A ``Report`` is a kind (``reports.kinds``), a name and a scope. Each ``ReportRun`` is one trip through the
queue; a run that succeeds writes one immutable ``ReportVersion`` with its files (artefacts, resources,
data), each stored with its md5, and its changelog.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReportScope(models.TextChoices):
    CAMPAIGN = "campaign", "Campaign"
    PROJECT = "project", "Project"


class Report(models.Model):
    name = models.SlugField(max_length=100, unique=True, help_text="The report's name in URLs.")
    display_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=40)
    scope = models.CharField(max_length=10, choices=ReportScope.choices)
    scope_id = models.BigIntegerField()
    parameters = models.JSONField(default=dict, blank=True, help_text="Default parameter values.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["scope", "scope_id"])]

    def __str__(self):
        return self.name


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    ERROR = "error", "Error"
    INTERRUPTED = "interrupted", "Interrupted (killed or timed out)"
    ORPHAN = "orphan", "Orphan (its worker died)"


FINAL_STATUSES = (RunStatus.SUCCESS, RunStatus.ERROR, RunStatus.INTERRUPTED, RunStatus.ORPHAN)


class ReportRun(models.Model):
    key = models.CharField(max_length=80, unique=True)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    parameters = models.JSONField(default=dict, blank=True)
    changelog = models.JSONField(default=list, blank=True, help_text="[{label, value}] for the version.")
    timeout = models.PositiveIntegerField(help_text="Seconds the run may take.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_runs"
    )
    output = models.TextField(blank=True, help_text="The run's log, one line per step.")
    kill_requested = models.BooleanField(default=False)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    version = models.OneToOneField(
        "ReportVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="run"
    )

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RunStatus]), name="reportrun_status_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["status"], name="reportrun_open", condition=Q(status__in=["queued", "running"])
            )
        ]

    def __str__(self):
        return f"{self.key} ({self.status})"


class ReportVersion(models.Model):
    """One immutable result of a run: nothing here changes after it is written but ``published``."""

    id = models.CharField(max_length=40, primary_key=True)  # YYYYMMDD-HHMMSS-<8 hex>
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    date = models.DateTimeField()
    display_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    parameter_values = models.JSONField(default=dict, blank=True)
    data_info = models.JSONField(default=dict, blank=True)
    requester = models.CharField(max_length=150, blank=True)
    author = models.CharField(max_length=150, blank=True)
    published = models.BooleanField(default=False)

    class Meta:
        ordering = ["report_id", "date", "id"]

    def __str__(self):
        return self.id


class FileRole(models.TextChoices):
    ARTEFACT = "artefact", "Artefact"
    RESOURCE = "resource", "Resource"
    DATA = "data", "Data"
    DATA_RDS = "data-rds", "Data as R's RDS"


class VersionFile(models.Model):
    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=10, choices=FileRole.choices)
    name = models.CharField(max_length=200)
    format = models.CharField(max_length=40, blank=True, help_text="Artefacts: data, staticgraph, report.")
    description = models.CharField(max_length=300, blank=True)
    size = models.BigIntegerField()
    md5 = models.CharField(max_length=32)
    file = models.FileField(upload_to="reports/", max_length=400)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "role", "name"], name="versionfile_unique_name"),
        ]

    def __str__(self):
        return f"{self.version_id}/{self.name}"


class ChangelogLabel(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"


class ChangelogEntry(models.Model):
    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="changelog")
    label = models.CharField(max_length=10, choices=ChangelogLabel.choices)
    value = models.TextField()
    from_file = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version_id", "id"]

    def __str__(self):
        return f"{self.version_id} [{self.label}] {self.value[:40]}"
