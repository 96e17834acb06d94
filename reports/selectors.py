"""Reads of reports, runs and versions, already scoped to what the caller may see."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from crowdplatform.errors import Forbidden, NotFound

from .access import READ, REVIEW, RUN, permissions_on, readable_reports
from .models import FINAL_STATUSES, Report, ReportRun, ReportVersion


def _missing(report: Report, needed: str) -> Forbidden:
    return Forbidden(
        "You do not have sufficient permissions to access this resource. "
        f"Missing these permissions: report:{report.name}/{needed}",
        code="forbidden",
    )


def report_get(*, user: User, name: str, needs: str = READ) -> Report:
    """The report called ``name``; 404 if there is none, 403 if the caller lacks ``needs`` on it."""
    report = Report.objects.filter(name=name).first()
    if report is None:
        raise NotFound(f"Unknown report {name!r}.", code="unknown-report")
    if needs not in permissions_on(user, report):
        raise _missing(report, needs)
    return report


def report_list(*, user: User) -> QuerySet[Report]:
    return readable_reports(user).order_by("name")


def version_list(*, user: User, report: Report | None = None) -> QuerySet[ReportVersion]:
    """Versions the caller may see: all of them with ``reports.review``, otherwise the published ones only."""
    reports = [report] if report is not None else list(readable_reports(user))
    reviewed = [r.pk for r in reports if REVIEW in permissions_on(user, r)]
    read_only = [r.pk for r in reports if r.pk not in reviewed]
    qs = ReportVersion.objects.select_related("report")
    return qs.filter(Q(report_id__in=reviewed) | Q(report_id__in=read_only, published=True)).order_by(
        "report__name", "date", "id"
    )


def version_get(*, user: User, report: Report, version_id: str) -> ReportVersion:
    version = version_list(user=user, report=report).filter(pk=version_id).first()
    if version is None:
        raise NotFound(f"Unknown version {version_id!r} of report {report.name!r}.", code="unknown-version")
    return version


def latest_version(*, user: User, report: Report) -> ReportVersion | None:
    return version_list(user=user, report=report).order_by("-date", "-id").first()


def may_review(*, user: User, report: Report) -> bool:
    return REVIEW in permissions_on(user, report)


def run_get(*, user: User, key: str) -> ReportRun:
    run = ReportRun.objects.select_related("report", "version").filter(key=key).first()
    if run is None:
        raise NotFound(f"Unknown run {key!r}.", code="unknown-run")
    if RUN not in permissions_on(user, run.report):
        raise _missing(run.report, RUN)
    return run


def run_queue() -> QuerySet[ReportRun]:
    """Runs still in the queue (queued or running), oldest first."""
    return ReportRun.objects.exclude(status__in=FINAL_STATUSES).select_related("report", "version")


def run_output_lines(run: ReportRun) -> list[str]:
    return run.output.splitlines()
