"""Who may do what with a report (seed 003): ``reports.read``, ``reports.review`` and ``reports.run``, each held
globally or scoped to one report (``report:<id>``). The owner of a report's scope — the campaign's or the
project's owner — holds all three on it, and staff hold everything."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q

from accounts.models import PermissionGrant, PermissionName
from accounts.selectors import grants_for

from .models import Report, ReportScope

READ, REVIEW, RUN = PermissionName.REPORTS_READ, PermissionName.REPORTS_REVIEW, PermissionName.REPORTS_RUN
ALL = frozenset({READ, REVIEW, RUN})


def owns_scope(user: User, report: Report) -> bool:
    from campaigns.models import Campaign
    from projects.models import Project

    if report.scope == ReportScope.CAMPAIGN:
        return Campaign.objects.filter(pk=report.scope_id, project__owner=user).exists()
    return Project.objects.filter(pk=report.scope_id, owner=user).exists()


def permissions_on(user: User, report: Report) -> frozenset[str]:
    """The report permissions ``user`` holds on ``report``."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_staff or owns_scope(user, report):
        return ALL
    held = grants_for(user).filter(
        Q(scope=PermissionGrant.Scope.GLOBAL) | Q(scope=PermissionGrant.Scope.REPORT, scope_id=report.pk),
        name__in=list(ALL),
    )
    return frozenset(held.values_list("name", flat=True))


def global_permissions(user: User) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    if user.is_staff:
        return ALL
    held = grants_for(user).filter(scope=PermissionGrant.Scope.GLOBAL, name__in=list(ALL))
    return frozenset(held.values_list("name", flat=True))


def readable_reports(user: User):
    """Reports on which ``user`` holds ``reports.read`` (or owns the scope)."""
    qs = Report.objects.all()
    if user.is_staff or READ in global_permissions(user):
        return qs
    scoped = grants_for(user).filter(scope=PermissionGrant.Scope.REPORT, name=READ).values("scope_id")
    return qs.filter(
        Q(pk__in=scoped)
        | Q(scope=ReportScope.PROJECT, scope_id__in=_owned_projects(user))
        | Q(scope=ReportScope.CAMPAIGN, scope_id__in=_owned_campaigns(user))
    )


def _owned_projects(user: User):
    from projects.models import Project

    return Project.objects.filter(owner=user).values("pk")


def _owned_campaigns(user: User):
    from campaigns.models import Campaign

    return Campaign.objects.filter(project__owner=user).values("pk")
