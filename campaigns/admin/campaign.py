"""The campaign list and change form. State moves only through the actions (``campaigns.services``); a new
campaign, its fields and its worker lists are written by the same services the APIs call."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.ledger import wallet_for_user
from crowdplatform.errors import ApplicationError, InsufficientFunds
from results.lifecycle import DONE_STATES
from results.selectors import assignment_count

from .. import services
from ..lifecycle import allowed_actions
from ..models import Campaign, CampaignState
from .progress import ProgressViews, download_links
from .upload import UploadViews

CLOSED_STATES = {CampaignState.FINISHED, CampaignState.CANCELLED, CampaignState.ARCHIVED}
WORKER_LISTS = ("worker_users", "worker_groups")

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
            except InsufficientFunds as exc:
                refused.append(_unfunded(campaign, exc))
            except ApplicationError as exc:
                refused.append(f"{campaign}: {exc.message}")
        if done:
            modeladmin.message_user(request, f"{name}: {done} campaign(s) done.", messages.SUCCESS)
        for line in refused:
            modeladmin.message_user(request, line, messages.ERROR)

    action.__name__ = f"campaign_{name}"
    return admin.action(description=f"{name.capitalize()} selected campaigns", permissions=["change"])(action)


def _unfunded(campaign: Campaign, exc: InsufficientFunds) -> str:
    """Whose wallet lacks the money and where to fund it (the project's owner pays for its campaigns)."""
    wallet = wallet_for_user(user=campaign.project.owner)
    return format_html(
        "{}: not published. The wallet of <strong>{}</strong> has {} available and publishing needs {}: "
        '<a href="{}">deposit into that wallet</a> (Move money), then publish again.',
        campaign,
        campaign.project.owner.username,
        exc.extra.get("available", wallet.available),
        exc.extra.get("needed", "more"),
        reverse("admin:accounts_wallet_move", args=[wallet.pk]),
    )


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = "__all__"  # noqa: DJ007  (the admin passes its own field list)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_at"), data.get("end_at")
        if start and end and end <= start:
            self.add_error("end_at", "End must be after start.")
        listed = any(data.get(f) for f in WORKER_LISTS if f in self.fields)
        if listed and "restricted" in self.fields and not data.get("restricted"):
            # The lists name who may work on a restricted campaign; on an open one they would mean nothing.
            self.add_error(
                "restricted", "Worker lists apply to a restricted campaign: tick this or clear them."
            )
        return data


@admin.register(Campaign)
class CampaignAdmin(UploadViews, ProgressViews, admin.ModelAdmin):
    form = CampaignForm
    change_list_template = "admin/campaigns/campaign/change_list.html"
    # Fits a 1280 px screen beside the filters: what a campaign is, where it stands, what it holds. The
    # rest (terms, dates, author) is on its page and in the filters.
    list_display = ("name", "state", "progress_display", "tasks_link", "assignments_link", "project_link")
    list_filter = ("state", "training", "login_required", "restricted", "project")
    search_fields = ("name", "filename", "project__name")
    list_select_related = ("project",)
    raw_id_fields = ("project",)
    filter_horizontal = WORKER_LISTS
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
        return (
            super()
            .get_queryset(request)
            .annotate(
                _assignments=assignment_count("campaign"),
                _done=assignment_count("campaign", Q(state__in=DONE_STATES)),
            )
        )

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
        fields = services.EDITABLE_FIELDS & set(form.cleaned_data)
        if not change:
            values = {f: form.cleaned_data[f] for f in fields if f != "name"}
            created = services.campaign_create(
                project=form.cleaned_data["project"],
                created_by=request.user,
                name=form.cleaned_data["name"],
                **values,
            )
            # The admin goes on with the object it handed over (its log entry, its redirect).
            obj.pk = created.pk
            obj.refresh_from_db()
            obj._state.adding = False
            return
        values = {f: form.cleaned_data[f] for f in form.changed_data if f in fields}
        if values:
            services.campaign_update(campaign=obj, **values)

    def save_related(self, request, form, formsets, change):
        # The worker lists are written by the service, never by the form's many-to-many save.
        if any(f in form.changed_data for f in WORKER_LISTS):
            services.campaign_workers_set(
                campaign=form.instance,
                users=list(form.cleaned_data.get("worker_users") or []),
                groups=list(form.cleaned_data.get("worker_groups") or []),
                replace=True,
            )
            # Setting lists restricts the campaign (as through the APIs); lists cleared on an open campaign
            # leave it open, as the form says.
            if form.cleaned_data.get("restricted") is False:
                services.campaign_update(campaign=form.instance, restricted=False)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # What the engine refuses (a rule the model's form does not know, or a campaign closed elsewhere
        # while the form was open) is said on the form's page, and nothing of the save is kept.
        # (Django's own view holds the transaction, so a refusal in save_related undoes save_model too.)
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

    def get_urls(self):
        return [*self.upload_urls(), *self.progress_urls(), *super().get_urls()]
