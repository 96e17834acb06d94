from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q


class ApiToken(models.Model):
    """A credential for scripts. Only a hash of the key is kept; the key is shown once."""

    class Kind(models.TextChoices):
        API = "api", "API token"
        LOGIN = "login", "Login (bearer) token"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.API)
    prefix = models.CharField(max_length=8, help_text="First characters of the key, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["api", "login"]), name="apitoken_kind_valid")
        ]

    def __str__(self):
        return f"{self.name or self.kind} ({self.prefix}…) of {self.user}"


class PermissionName(models.TextChoices):
    """Seed 003-style permission names; a grant is global (``*``) or scoped to one object."""

    PROJECTS_CREATE = "projects.create", "Create projects (be a requester)"
    PROJECTS_READ = "projects.read", "Read projects and their campaigns, tasks and results"
    PROJECTS_MANAGE = "projects.manage", "Change projects"
    CAMPAIGNS_MANAGE = "campaigns.manage", "Create, change and run campaigns, add tasks"
    RESULTS_READ = "results.read", "Read results and exports"
    RESULTS_REVIEW = "results.review", "Review (approve, reject) results"


class PermissionGrant(models.Model):
    class Scope(models.TextChoices):
        GLOBAL = "*", "Global"
        PROJECT = "project", "Project"
        CAMPAIGN = "campaign", "Campaign"

    name = models.CharField(max_length=40, choices=PermissionName.choices)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.GLOBAL)
    scope_id = models.BigIntegerField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="permission_grants",
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="permission_grants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) ^ Q(group__isnull=False), name="grant_has_one_holder"
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope="*", scope_id__isnull=True)
                    | (Q(scope__in=["project", "campaign"]) & Q(scope_id__isnull=False))
                ),
                name="grant_scope_consistent",
            ),
        ]
        indexes = [models.Index(fields=["scope", "scope_id"])]

    def __str__(self):
        return f"{self.scope_label}/{self.name} → {self.user or self.group}"

    @property
    def scope_label(self) -> str:
        return "*" if self.scope == self.Scope.GLOBAL else f"{self.scope}:{self.scope_id}"
