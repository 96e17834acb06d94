"""A campaign's progress: the bar on the campaign list, the progress page, and the batch's CSV downloads."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from crowdplatform.streaming import streaming_attachment
from results import batch_csv
from results.lifecycle import DONE_STATES, TRANSITIONS
from results.models import AssignmentState
from tasks.staging import tasks_ensure_written

from ..models import Campaign
from ..selectors import campaign_progress


def progress_percent(*, done: int, tasks: int, results_per_task: int) -> int:
    """Results done out of those wanted, as a whole percentage (0 for a campaign without tasks)."""
    wanted = tasks * results_per_task
    return min(100, round(100 * done / wanted)) if wanted else 0


def progress_bar(*, percent: int, url: str, label: str) -> str:
    """The bar with its figure, linking to the progress page; ``label`` is said to screen readers."""
    return format_html(
        '<a class="progress-cell" href="{}" title="{}">'
        '<progress max="100" value="{}" aria-label="{}">{}%</progress> <span>{}%</span></a>',
        url,
        label,
        percent,
        label,
        percent,
        percent,
    )


def download_links(campaign: Campaign) -> list[tuple[str, str]]:
    return [
        (reverse("admin:campaigns_campaign_input_csv", args=[campaign.pk]), "Input CSV"),
        (reverse("admin:campaigns_campaign_results_csv", args=[campaign.pk]), "Results CSV"),
    ]


def _campaign_reports(campaign: Campaign) -> list[tuple[str, str, str]]:
    """The reports on this campaign or its project, each with its admin page: (name, kind, url)."""
    from reports.models import Report, ReportScope

    found = Report.objects.filter(
        Q(scope=ReportScope.CAMPAIGN, scope_id=campaign.pk)
        | Q(scope=ReportScope.PROJECT, scope_id=campaign.project_id)
    ).order_by("name")
    return [
        (r.display_name or r.name, r.kind, reverse("admin:reports_report_change", args=[r.pk])) for r in found
    ]


class ProgressViews:
    """The campaign admin's progress page and downloads (mixed into ``CampaignAdmin``)."""

    def progress_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/progress/", view(self.progress_view), name="campaigns_campaign_progress"),
            path("<int:pk>/input.csv", view(self.input_csv_view), name="campaigns_campaign_input_csv"),
            path("<int:pk>/results.csv", view(self.results_csv_view), name="campaigns_campaign_results_csv"),
        ]

    @admin.display(description="progress")
    def progress_display(self, obj):
        percent = progress_percent(
            done=getattr(obj, "_done", 0), tasks=obj.tasks_count, results_per_task=obj.results_per_task
        )
        url = reverse("admin:campaigns_campaign_progress", args=[obj.pk])
        return progress_bar(percent=percent, url=url, label=f"{percent}% of the results done")

    def _viewable(self, request, pk: int) -> Campaign:
        campaign = Campaign.objects.select_related("project").filter(pk=pk).first()
        if campaign is None:
            raise Http404("No such campaign.")
        if not self.has_view_or_change_permission(request, campaign):
            raise PermissionDenied
        return campaign

    # The same files, byte for byte, as the Turkle API's batch input and results downloads.
    def input_csv_view(self, request, pk):
        campaign = self._viewable(request, pk)
        return streaming_attachment(
            batch_csv.input_csv_lines(campaign),
            filename=campaign.filename or "input.csv",
            content_type="text/csv",
        )

    def results_csv_view(self, request, pk):
        campaign = self._viewable(request, pk)
        filename = batch_csv.results_filename(
            project_id=campaign.project_id, batch_id=campaign.pk, filename=campaign.filename or "batch.csv"
        )
        return streaming_attachment(
            batch_csv.results_csv_lines(campaign), filename=filename, content_type="text/csv"
        )

    def progress_view(self, request, pk):
        campaign = self._viewable(request, pk)
        now = timezone.now()
        # The same count of finished tasks as the Turkle API's progress, from the tasks' claim bookkeeping
        # (one pass over the campaign's tasks, not over every assignment).
        tasks_ensure_written(campaign=campaign)
        finished = campaign_progress(campaign=campaign)["total_finished_tasks"]
        by_state = dict(
            campaign.assignments.values_list("state")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("state", "n")
        )
        # Work whose time ran out and that the next sweep expires (the lifecycle's ``expire``).
        abandoned = campaign.assignments.filter(TRANSITIONS["expire"].allowed.as_q(now=now)).count()
        states = [(label, by_state.get(value, 0)) for value, label in AssignmentState.choices]
        done = sum(by_state.get(s, 0) for s in DONE_STATES)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Progress of {campaign}",
            "campaign": campaign,
            "original": campaign,
            "tasks_total": campaign.tasks_count,
            "tasks_finished": finished,
            "results_done": done,
            "results_wanted": campaign.tasks_count * campaign.results_per_task,
            "percent": progress_percent(
                done=done, tasks=campaign.tasks_count, results_per_task=campaign.results_per_task
            ),
            "states": states,
            "abandoned": abandoned,
            "downloads": download_links(campaign),
            "links": self.links(campaign),
            "reports": _campaign_reports(campaign),
        }
        return TemplateResponse(request, "admin/campaigns/campaign/progress.html", context)
