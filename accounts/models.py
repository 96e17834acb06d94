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
    REPORTS_READ = "reports.read", "Read reports and their published versions"
    REPORTS_REVIEW = "reports.review", "See unpublished report versions and internal changelog; publish"
    REPORTS_RUN = "reports.run", "Run reports, see the queue, pack and import bundles"


class PermissionGrant(models.Model):
    class Scope(models.TextChoices):
        GLOBAL = "*", "Global"
        PROJECT = "project", "Project"
        CAMPAIGN = "campaign", "Campaign"
        REPORT = "report", "Report"

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
                    | (Q(scope__in=["project", "campaign", "report"]) & Q(scope_id__isnull=False))
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


class Profile(models.Model):
    """Seed 004's profile fields that the Django user (names, email) lacks.

    A user without a row shows the defaults; the row is created by the first change.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    phone = models.CharField(max_length=32, blank=True)
    organization = models.CharField(max_length=200, blank=True, help_text="Name of the user's organization.")
    website = models.URLField(max_length=500, blank=True, help_text="The organization's website.")
    logo = models.URLField(max_length=500, blank=True, help_text="URL of the user's logo.")
    customer_id = models.CharField(
        max_length=32, blank=True, help_text="Customer reference for billing; set by staff."
    )
    charity = models.BooleanField(default=False, help_text="A charity account; set by staff.")
    guest = models.BooleanField(
        default=False,
        help_text="A throw-away account made for one browser session on a campaign that needs no login.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer_id"], condition=~Q(customer_id=""), name="profile_customer_id_unique"
            )
        ]

    def __str__(self):
        return f"Profile of {self.user}"


class Wallet(models.Model):
    """A user's money (or the platform's, or the outside world's), in ``settings.CROWD_CURRENCY``.

    The balances are kept in step with the ledger inside the same transaction as each entry; the ledger
    is the record, the balances are its running sum.
    """

    class Kind(models.TextChoices):
        USER = "user", "User"
        PLATFORM = "platform", "Platform (commissions)"
        EXTERNAL = "external", "External (source of deposits)"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.USER)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="wallet"
    )
    available = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    frozen = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Share added on top of each payment to workers; empty = the platform default.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["user", "platform", "external"]), name="wallet_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind="user", user__isnull=False) | (~Q(kind="user") & Q(user__isnull=True)),
                name="wallet_user_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=~Q(kind="user"), name="wallet_one_system_of_kind"
            ),
            # The external wallet mirrors every deposit as a negative balance; nobody else may go below zero.
            models.CheckConstraint(
                condition=Q(kind="external") | (Q(available__gte=0) & Q(frozen__gte=0)),
                name="wallet_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(commission_rate__isnull=True)
                | (Q(commission_rate__gte=0) & Q(commission_rate__lte=1)),
                name="wallet_commission_rate_range",
            ),
        ]

    def __str__(self):
        owner = self.user.username if self.user_id else self.kind
        return f"Wallet of {owner}"


class Bucket(models.TextChoices):
    AVAILABLE = "available", "Available"
    FROZEN = "frozen", "Frozen"


class LedgerEntry(models.Model):
    """One movement of money from one wallet bucket to another. Rows are only ever inserted."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", "Deposit"
        ADJUST = "adjust", "Adjustment"
        FREEZE = "freeze", "Budget frozen"
        RELEASE = "release", "Budget released"
        PAYMENT = "payment", "Payment to worker"
        COMMISSION = "commission", "Commission to platform"

    idempotency_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    # Indexed by the (wallet, id) indexes below, which also serve the per-user ledger listing.
    from_wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="+", db_index=False)
    from_bucket = models.CharField(max_length=10, choices=Bucket.choices)
    to_wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="+", db_index=False)
    to_bucket = models.CharField(max_length=10, choices=Bucket.choices)
    reason = models.TextField(blank=True)
    # Plain ids, not foreign keys: the ledger outlives what caused each entry.
    campaign_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    assignment_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            # A constraint rather than unique=True: no extra LIKE index on PostgreSQL for a key never searched by prefix.
            models.UniqueConstraint(fields=["idempotency_key"], name="ledger_idempotency_key_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=["deposit", "adjust", "freeze", "release", "payment", "commission"]),
                name="ledger_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(from_wallet=models.F("to_wallet"), from_bucket=models.F("to_bucket")),
                name="ledger_moves_between_accounts",
            ),
        ]
        indexes = [
            models.Index(fields=["from_wallet", "id"], name="ledger_by_from_wallet"),
            models.Index(fields=["to_wallet", "id"], name="ledger_by_to_wallet"),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount} ({self.idempotency_key})"
