from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime

from campaigns.admin_filters import CampaignStateFilter

from .admin_actions import REVIEW_ACTIONS
from .models import Assignment
from .services import assignments_expire_due


def short_time(value) -> str:
    return date_format(localtime(value), "M j, H:i") if value else "–"


def _expire_message(count: int) -> str:
    return f"{count} abandoned assignment(s) marked expired; their tasks are open again."


@admin.action(description="Expire the selected abandoned assignments now", permissions=["change"])
def expire_abandoned_now(modeladmin, request, queryset):
    # Of the selection, those accepted and past their time limit (the button above the list does them all).
    expired = assignments_expire_due(within=queryset)
    modeladmin.message_user(request, _expire_message(expired), messages.SUCCESS)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Assignments change only through the worker flow, review actions and sweeps, never by hand."""

    list_display = (
        "id",
        "campaign_link",
        "task_link",
        "worker",
        "state",
        "submitted",
        "quality",
    )
    list_filter = (
        "state",
        ("campaign__state", CampaignStateFilter),
        "campaign",
        "accepted_at",
        "submitted_at",
    )
    search_fields = ("=id", "worker__username", "campaign__name")
    list_select_related = ("campaign", "task", "worker")
    date_hierarchy = "accepted_at"
    show_full_result_count = False
    actions = [expire_abandoned_now, *REVIEW_ACTIONS]
    readonly_fields = (
        "task",
        "campaign",
        "worker",
        "state",
        "answers",
        "accepted_at",
        "expires_at",
        "submitted_at",
        "closed_at",
        "review_due_at",
        "reviewed_at",
        "reviewer",
        "feedback",
        "redo_until",
        "quality",
        "updated_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="campaign", ordering="campaign__name")
    def campaign_link(self, obj):
        url = reverse("admin:campaigns_campaign_change", args=[obj.campaign_id])
        return format_html('<a href="{}">{}</a>', url, obj.campaign)

    @admin.display(description="task", ordering="task__position")
    def task_link(self, obj):
        url = reverse("admin:tasks_task_change", args=[obj.task_id])
        return format_html('<a href="{}">#{}</a>', url, obj.task.position)

    # One short time (the others and the full dates are on the assignment's page), so the list fits 1280 px.
    @admin.display(description="submitted", ordering="submitted_at")
    def submitted(self, obj):
        return short_time(obj.submitted_at)

    def get_urls(self):
        own = [
            path(
                "expire-now/",
                self.admin_site.admin_view(self.expire_now_view),
                name="results_assignment_expire_now",
            )
        ]
        return own + super().get_urls()

    def expire_now_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        # From a campaign's progress page: that campaign's; from the list: every campaign's.
        campaign_id = request.POST.get("campaign", "")
        within = Assignment.objects.filter(campaign_id=campaign_id) if campaign_id.isdigit() else None
        self.message_user(request, _expire_message(assignments_expire_due(within=within)), messages.SUCCESS)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:results_assignment_changelist")
        return HttpResponseRedirect(target)
