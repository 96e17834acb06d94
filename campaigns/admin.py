import re
import time
import uuid
from decimal import Decimal
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from compat.turkle import exports as turkle_exports
from crowdplatform.errors import ApplicationError
from crowdplatform.streaming import streaming_attachment
from projects.models import Project
from results.lifecycle import DONE_STATES
from results.models import AssignmentState
from results.selectors import assignment_count
from tasks.ingest import preview_csv, tasks_ingest_csv

from . import services
from .lifecycle import allowed_actions
from .models import Campaign, CampaignState
from .selectors import campaign_progress

CLOSED_STATES = {CampaignState.FINISHED, CampaignState.CANCELLED, CampaignState.ARCHIVED}
PREVIEW_ROWS = 10
UPLOAD_MAX_AGE_S = 24 * 3600
UPLOAD_TOKEN = re.compile(r"^[0-9a-f]{32}$")


# Actions that end a campaign's work for good (and for cancel, hand back its budget): asked twice.
CONFIRMED_ACTIONS = {"cancel", "finish", "archive"}


def _transition_action(name: str):
    service = services.CAMPAIGN_ACTIONS[name]

    def action(modeladmin, request, queryset):
        if name in CONFIRMED_ACTIONS and request.POST.get("post") != "yes":
            context = {
                **modeladmin.admin_site.each_context(request),
                "opts": modeladmin.model._meta,
                "title": f"{name.capitalize()} these campaigns?",
                "action_name": action.__name__,
                "verb": name,
                "campaigns": queryset.order_by("pk"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/campaigns/campaign/action_confirm.html", context)
        done, refused = 0, []
        for campaign in queryset.order_by("pk"):
            try:
                service(campaign=campaign)
                done += 1
            except ApplicationError as exc:
                refused.append(f"{campaign}: {exc.message}")
        if done:
            modeladmin.message_user(request, f"{name}: {done} campaign(s) done.", messages.SUCCESS)
        for line in refused:
            modeladmin.message_user(request, line, messages.ERROR)

    action.__name__ = f"campaign_{name}"
    return admin.action(description=f"{name.capitalize()} selected campaigns", permissions=["change"])(action)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = "__all__"  # noqa: DJ007  (the admin passes its own field list)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_at"), data.get("end_at")
        if start and end and end <= start:
            self.add_error("end_at", "End must be after start.")
        return data


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    change_list_template = "admin/campaigns/campaign/change_list.html"
    # What an admin looks for first comes first: on a narrow screen the last columns scroll out of view.
    list_display = (
        "name",
        "state",
        "progress_link",
        "tasks_link",
        "assignments_link",
        "results_per_task",
        "project_link",
        "published_at",
        "created_by",
    )
    list_filter = ("state", "training", "login_required", "restricted", "project")
    search_fields = ("name", "filename", "project__name")
    list_select_related = ("project", "created_by")
    raw_id_fields = ("project",)
    filter_horizontal = ("worker_users", "worker_groups")
    date_hierarchy = "created_at"
    actions = [_transition_action(name) for name in services.CAMPAIGN_ACTIONS]
    bookkeeping = (
        "state",
        "allowed_actions_display",
        "tasks_count",
        "links",
        "created_by",
        "created_at",
        "updated_at",
        "published_at",
        "closed_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_assignments=assignment_count("campaign"))

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f not in self.bookkeeping]
        if obj is None:
            return fields
        return [*self.bookkeeping, *fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # State only moves through the actions (campaigns.services); what was promised once published
        # stays as it was, and a closed campaign is history.
        readonly = [*self.bookkeeping, "project"]
        if obj.state != CampaignState.UNPUBLISHED:
            readonly += sorted(services.FROZEN_AFTER_PUBLISH)
        if obj.state in CLOSED_STATES:
            readonly += [f.name for f in Campaign._meta.get_fields() if f.concrete and f.editable]
        return list(dict.fromkeys(readonly))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            return
        values = {f: form.cleaned_data[f] for f in form.changed_data if f in services.EDITABLE_FIELDS}
        if values:
            services.campaign_update(campaign=obj, **values)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # What the engine refuses (a rule the model's form does not know, or a campaign closed elsewhere
        # while the form was open) is said on the form's page, and nothing of the save is kept.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            self.message_user(request, f"Not saved: {exc.message}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_actions(self, request):
        # Campaigns are deleted one at a time from their page, and only before publishing (see below).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        # A published campaign holds money and results: it is cancelled, finished or archived, not deleted.
        if obj is not None and obj.state != CampaignState.UNPUBLISHED:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="project", ordering="project__name")
    def project_link(self, obj):
        url = reverse("admin:projects_project_change", args=[obj.project_id])
        return format_html('<a href="{}">{}</a>', url, obj.project)

    @admin.display(description="tasks", ordering="tasks_count")
    def tasks_link(self, obj):
        url = reverse("admin:tasks_task_changelist") + f"?campaign__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.tasks_count)

    @admin.display(description="assignments", ordering="_assignments")
    def assignments_link(self, obj):
        url = reverse("admin:results_assignment_changelist") + f"?campaign__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, getattr(obj, "_assignments", "…"))

    @admin.display(description="progress")
    def progress_link(self, obj):
        return format_html(
            '<a href="{}">progress</a>', reverse("admin:campaigns_campaign_progress", args=[obj.pk])
        )

    @admin.display(description="allowed actions")
    def allowed_actions_display(self, obj):
        return ", ".join(allowed_actions(obj.state)) or "none"

    @admin.display(description="related")
    def links(self, obj):
        items = [
            (reverse("admin:campaigns_campaign_progress", args=[obj.pk]), "Progress"),
            (reverse("admin:tasks_task_changelist") + f"?campaign__id__exact={obj.pk}", "Tasks"),
            (
                reverse("admin:results_assignment_changelist") + f"?campaign__id__exact={obj.pk}",
                "Assignments",
            ),
            (reverse("admin:tasks_importjob_changelist") + f"?campaign__id__exact={obj.pk}", "Imports"),
            *download_links(obj),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', items)

    # Custom views: batch upload with preview, and per-campaign progress.

    def get_urls(self):
        own = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="campaigns_campaign_upload"),
            path(
                "<int:pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="campaigns_campaign_progress",
            ),
            path(
                "<int:pk>/input.csv",
                self.admin_site.admin_view(self.input_csv_view),
                name="campaigns_campaign_input_csv",
            ),
            path(
                "<int:pk>/results.csv",
                self.admin_site.admin_view(self.results_csv_view),
                name="campaigns_campaign_results_csv",
            ),
        ]
        return own + super().get_urls()

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
            turkle_exports.input_csv_lines(campaign),
            filename=campaign.filename or "input.csv",
            content_type="text/csv",
        )

    def results_csv_view(self, request, pk):
        campaign = self._viewable(request, pk)
        filename = turkle_exports.results_filename(
            project_id=campaign.project_id, batch_id=campaign.pk, filename=campaign.filename or "batch.csv"
        )
        return streaming_attachment(
            turkle_exports.results_csv_lines(campaign), filename=filename, content_type="text/csv"
        )

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Upload a batch",
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._upload_confirm(request, context)
        if request.method == "POST" and "discard" in request.POST:
            token = request.POST.get("upload", "")
            if UPLOAD_TOKEN.match(token):
                _stored_upload(token).unlink(missing_ok=True)
            self.message_user(request, "Upload discarded; nothing was created.", messages.INFO)
            return HttpResponseRedirect(reverse("admin:campaigns_campaign_changelist"))
        form = BatchUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            return self._upload_preview(request, form, context)
        return TemplateResponse(request, "admin/campaigns/campaign/upload.html", {**context, "form": form})

    def _upload_preview(self, request, form, context):
        project = form.cleaned_data["project"]
        upload = form.cleaned_data["csv_file"]
        # Kept on disk between preview and confirmation, so a large file is not carried in the session.
        token = uuid.uuid4().hex
        stored = _stored_upload(token)
        stored.parent.mkdir(parents=True, exist_ok=True)
        _forget_old_uploads(stored.parent)
        with open(stored, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            with open(stored, "rb") as stream:
                header, first_rows, row_count = preview_csv(
                    stream, project.template_fields, first=PREVIEW_ROWS
                )
        except ApplicationError as exc:
            stored.unlink(missing_ok=True)
            form.add_error("csv_file", _describe(exc))
            return TemplateResponse(
                request, "admin/campaigns/campaign/upload.html", {**context, "form": form}
            )
        if not row_count:
            stored.unlink(missing_ok=True)
            form.add_error(
                "csv_file", "The file has a header but no rows: there would be nothing to work on."
            )
            return TemplateResponse(
                request, "admin/campaigns/campaign/upload.html", {**context, "form": form}
            )
        confirm = BatchConfirmForm(
            initial={
                "upload": token,
                "filename": upload.name,
                "project": project.pk,
                "name": form.cleaned_data["name"] or Path(upload.name).stem,
                "results_per_task": form.cleaned_data["results_per_task"] or project.default_results_per_task,
                "time_allowed_s": form.cleaned_data["time_allowed_s"] or project.default_time_allowed_s,
                "payment_per_result": form.cleaned_data["payment_per_result"] or Decimal("0.00"),
            }
        )
        return TemplateResponse(
            request,
            "admin/campaigns/campaign/upload_preview.html",
            {
                **context,
                "title": "Preview the batch",
                "form": confirm,
                "project": project,
                "header": header,
                "preview": first_rows,
                "row_count": row_count,
                "template_fields": project.template_fields,
                "extra_columns": [h for h in header if h not in project.template_fields],
            },
        )

    def _upload_confirm(self, request, context):
        form = BatchConfirmForm(request.POST)
        if not form.is_valid() or not UPLOAD_TOKEN.match(form.cleaned_data["upload"]):
            self.message_user(request, "The upload is incomplete; start again.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:campaigns_campaign_upload"))
        data = form.cleaned_data
        # Take the upload for this request alone (a rename either happens once or fails), so a second
        # click on the button cannot create the campaign twice.
        stored = _stored_upload(data["upload"])
        taken = stored.with_suffix(f".{uuid.uuid4().hex}.taken")
        try:
            stored.rename(taken)
        except FileNotFoundError:
            self.message_user(
                request, "This upload was already used or has expired; start again.", messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:campaigns_campaign_upload"))
        stored = taken
        publish = request.POST.get("confirm") == "publish"
        try:
            # One transaction: a campaign never exists without the tasks it was created for.
            with transaction.atomic(), open(stored, "rb") as stream:
                campaign = services.campaign_create(
                    project=data["project"],
                    created_by=request.user,
                    name=data["name"],
                    filename=data["filename"][:200],
                    results_per_task=data["results_per_task"],
                    time_allowed_s=data["time_allowed_s"],
                    payment_per_result=data["payment_per_result"],
                )
                job = tasks_ingest_csv(
                    campaign=campaign, stream=stream, created_by=request.user, filename=data["filename"]
                )
                if publish:
                    campaign = services.campaign_publish(campaign=campaign)
        except ApplicationError as exc:
            stored.unlink(missing_ok=True)
            self.message_user(request, f"Nothing was created: {_describe(exc)}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:campaigns_campaign_upload"))
        stored.unlink(missing_ok=True)
        state = "published" if publish else "left unpublished"
        self.message_user(
            request, f"Campaign “{campaign}” created with {job.rows} tasks, {state}.", messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:campaigns_campaign_progress", args=[campaign.pk]))

    def progress_view(self, request, pk):
        campaign = self._viewable(request, pk)
        now = timezone.now()
        # The same count of finished tasks as the Turkle API's progress, from the tasks' claim bookkeeping
        # (one pass over the campaign's tasks, not over every assignment).
        finished = campaign_progress(campaign=campaign)["total_finished_tasks"]
        by_state = dict(
            campaign.assignments.values_list("state")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("state", "n")
        )
        abandoned = campaign.assignments.filter(state=AssignmentState.ACCEPTED, expires_at__lte=now).count()
        states = [(label, by_state.get(value, 0)) for value, label in AssignmentState.choices]
        done = sum(by_state.get(s, 0) for s in DONE_STATES)
        wanted = campaign.tasks_count * campaign.results_per_task
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Progress of {campaign}",
            "campaign": campaign,
            "original": campaign,
            "tasks_total": campaign.tasks_count,
            "tasks_finished": finished,
            "results_done": done,
            "results_wanted": wanted,
            "percent": round(100 * done / wanted) if wanted else 0,
            "states": states,
            "abandoned": abandoned,
            "downloads": download_links(campaign),
            "links": self.links(campaign),
        }
        return TemplateResponse(request, "admin/campaigns/campaign/progress.html", context)


def _stored_upload(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "admin-uploads" / f"{token}.csv"


def _forget_old_uploads(folder: Path) -> None:
    # Previews that were never confirmed nor cancelled would otherwise stay on disk for good.
    cutoff = time.time() - UPLOAD_MAX_AGE_S
    for old in [*folder.glob("*.csv"), *folder.glob("*.taken")]:
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def _describe(exc: ApplicationError) -> str:
    # Ingest messages name their line already ("Line 7 has 3 cells ...").
    if exc.line is None or exc.message.startswith(f"Line {exc.line}"):
        return exc.message
    return f"Line {exc.line}: {exc.message}"


def download_links(campaign: Campaign) -> list[tuple[str, str]]:
    return [
        (reverse("admin:campaigns_campaign_input_csv", args=[campaign.pk]), "Input CSV"),
        (reverse("admin:campaigns_campaign_results_csv", args=[campaign.pk]), "Results CSV"),
    ]


class BatchUploadForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.filter(archived=False).order_by("name"))
    csv_file = forms.FileField(
        label="CSV file", help_text="First line: the header naming the template fields."
    )
    name = forms.CharField(max_length=200, required=False, help_text="Defaults to the file name.")
    results_per_task = forms.IntegerField(min_value=1, required=False, help_text="Defaults to the project's.")
    time_allowed_s = forms.IntegerField(
        min_value=1, required=False, label="Time allowed (s)", help_text="Defaults to the project's."
    )
    payment_per_result = forms.DecimalField(
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="Paid to the worker for each approved result; publishing freezes the budget. Defaults to 0.",
    )


class BatchConfirmForm(forms.Form):
    upload = forms.CharField(widget=forms.HiddenInput)
    filename = forms.CharField(widget=forms.HiddenInput)
    project = forms.ModelChoiceField(queryset=Project.objects.all(), widget=forms.HiddenInput)
    name = forms.CharField(max_length=200)
    results_per_task = forms.IntegerField(min_value=1)
    time_allowed_s = forms.IntegerField(min_value=1, label="Time allowed (s)")
    payment_per_result = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2)
