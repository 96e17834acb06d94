from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from campaigns.admin_filters import CampaignStateFilter, OpenToClaimsFilter
from crowdplatform.admin_views import LookOnlyAdmin
from results.selectors import assignment_count

from .models import ImportJob, MediaFile, Task, TaskBlock
from .staging import tasks_write_all_staged


@admin.register(Task)
class TaskAdmin(LookOnlyAdmin):
    """Tasks come from ingest and change through claims and submissions; here they are only looked at.
    None is deleted alone: that would leave the campaign's counts, money and results describing tasks that
    are gone."""

    list_display = (
        "id",
        "campaign_link",
        "position",
        "input_preview",
        "results_needed",
        "assignments_link",
        "is_open",
        "reopen_at",
        "created_at",
    )
    list_filter = (("is_open", OpenToClaimsFilter), ("campaign__state", CampaignStateFilter), "campaign")
    search_fields = ("=id", "campaign__name", "input")
    list_select_related = ("campaign",)
    readonly_fields = (
        "campaign",
        "position",
        "input",
        "results_needed",
        "is_open",
        "reopen_at",
        "created_at",
        "assignments_link",
    )
    fields = readonly_fields
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        # The list shows every campaign's tasks: those of a large import just made are written first.
        tasks_write_all_staged()
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_assignments=assignment_count("task"))

    @admin.display(description="campaign", ordering="campaign__name")
    def campaign_link(self, obj):
        url = reverse("admin:campaigns_campaign_change", args=[obj.campaign_id])
        return format_html('<a href="{}">{}</a>', url, obj.campaign)

    @admin.display(description="assignments", ordering="_assignments")
    def assignments_link(self, obj):
        url = reverse("admin:results_assignment_changelist") + f"?task__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, getattr(obj, "_assignments", "…"))

    @admin.display(description="input")
    def input_preview(self, obj):
        text = ", ".join(f"{k}={v}" for k, v in obj.input.items()) if isinstance(obj.input, dict) else ""
        return text if len(text) <= 80 else text[:79] + "…"


@admin.register(ImportJob)
class ImportJobAdmin(LookOnlyAdmin):
    """The record of an import is what the batch's input CSV is rebuilt from."""

    list_display = ("id", "campaign", "filename", "rows", "header", "created_by", "created_at")
    list_filter = ("created_at",)
    search_fields = ("filename", "campaign__name")
    list_select_related = ("campaign", "created_by")
    readonly_fields = ("campaign", "filename", "header", "rows", "created_by", "created_at")
    fields = readonly_fields


@admin.register(TaskBlock)
class TaskBlockAdmin(LookOnlyAdmin):
    """Records of large imports whose tasks are being written (see ``tasks.staging``): normally empty."""

    list_display = ("id", "campaign", "import_job", "first_position", "count", "results_needed")
    list_select_related = ("campaign", "import_job")
    readonly_fields = ("campaign", "import_job", "first_position", "count", "results_needed")
    fields = readonly_fields

    def get_queryset(self, request):
        # The records themselves can be megabytes per block, and nothing here shows them.
        return super().get_queryset(request).defer("records")


@admin.register(MediaFile)
class MediaFileAdmin(LookOnlyAdmin):
    """Uploaded media: checked when uploaded, served through the API to those who may see it."""

    list_display = ("key", "kind", "content_type", "size", "owner", "task", "created_at")
    list_filter = ("kind",)
    search_fields = ("=key", "owner__username", "sha256")
    list_select_related = ("owner",)
    readonly_fields = (
        "key",
        "owner",
        "task",
        "kind",
        "content_type",
        "size",
        "sha256",
        "file",
        "original_name",
        "created_at",
    )
