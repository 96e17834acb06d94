from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from crowdplatform import limits


class Project(models.Model):
    """A requester's design of work: how a task is shown, and defaults for publishing it."""

    class TaskClass(models.TextChoices):
        REAL = "real", "Real"
        TRAINING = "training", "Training"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    priority = models.IntegerField(
        default=0,
        validators=[MinValueValidator(-limits.MAX_PRIORITY), MaxValueValidator(limits.MAX_PRIORITY)],
    )
    task_class = models.CharField(max_length=10, choices=TaskClass.choices, default=TaskClass.REAL)
    data = models.JSONField(default=dict, blank=True, help_text="Free project data.")
    html_template = models.TextField(blank=True, help_text="HTML with ${field} placeholders.")
    template_filename = models.CharField(max_length=200, blank=True)
    template_fields = models.JSONField(
        default=list, blank=True, editable=False, help_text="Placeholders found in the template, in order."
    )
    external_url = models.URLField(blank=True, help_text="Show tasks from this page instead of a template.")
    default_results_per_task = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_RESULTS_PER_TASK)]
    )
    default_time_allowed_s = models.PositiveIntegerField(
        default=3600, validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_TIME_ALLOWED_S)]
    )
    login_required = models.BooleanField(default=True)
    restricted = models.BooleanField(default=False, help_text="Only the listed workers and groups may work.")
    worker_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    worker_groups = models.ManyToManyField(Group, blank=True, related_name="+")
    active = models.BooleanField(default=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(task_class__in=["real", "training"]), name="project_task_class_valid"
            ),
            models.CheckConstraint(
                condition=Q(default_results_per_task__gte=1), name="project_results_per_task_positive"
            ),
        ]

    def __str__(self):
        return self.name


class Screen(models.Model):
    """One screen of typed components (a Swarms "task"), reusable across jobs and campaigns.

    ``components`` is checked by ``projects.components.validate_components`` whenever it is saved through
    ``projects.screens``; the model holds no rule of its own.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screens")
    name = models.CharField(max_length=200)
    components = models.JSONField(default=list, blank=True)
    properties = models.JSONField(default=dict, blank=True, help_text="Free key/value text.")
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["owner", "archived"], name="screen_by_owner")]

    def __str__(self):
        return self.name


class Job(models.Model):
    """An ordered list of screens: the unit a worker does and is paid for. A campaign publishes jobs,
    one task per job (``tasks.Task.job``)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Added to the campaign's description for workers.")
    properties = models.JSONField(default=dict, blank=True, help_text="Free key/value text.")
    screens = models.ManyToManyField(Screen, through="JobScreen", related_name="jobs")
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["owner", "archived"], name="job_by_owner")]

    def __str__(self):
        return self.name


class JobScreen(models.Model):
    """A screen's place in a job. A screen may appear in several jobs, and twice in one."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="job_screens")
    # A screen in use by a job cannot be deleted.
    screen = models.ForeignKey(Screen, on_delete=models.PROTECT, related_name="job_screens")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["job_id", "position"]
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="job_screen_position_unique")]

    def __str__(self):
        return f"Screen {self.screen_id} at {self.position} of job {self.job_id}"


class ScreenMedia(models.Model):
    """An uploaded file a screen's components point at (by its key), kept in step with the components:
    who may see a file follows from the screens that show it, and a file stays while one refers to it."""

    screen = models.ForeignKey(Screen, on_delete=models.CASCADE, related_name="media_refs")
    key = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["screen", "key"], name="screen_media_unique")]

    def __str__(self):
        return f"{self.key} in screen {self.screen_id}"
