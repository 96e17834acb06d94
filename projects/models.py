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
