"""Batch upload with preview: a CSV becomes a campaign through ``campaign_create_with_csv``, the service the
Turkle API's batch upload uses, so both honour a restricted project's worker lists in the same way.

The file waits on disk between the preview and the confirmation (a large file is not carried in the
session). The preview shows the rows, the detected fields and what publishing will cost; a publish the
payer's wallet cannot fund creates nothing and keeps the file, so the admin can fund the wallet and try
again from the same page.
"""

import re
import time
import uuid
from decimal import Decimal
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.ledger import wallet_for_user
from campaigns.budget import campaign_budget_quote
from crowdplatform.errors import ApplicationError, InsufficientFunds
from projects.models import Project
from tasks.ingest import campaign_create_with_csv, preview_csv

PREVIEW_ROWS = 10
UPLOAD_MAX_AGE_S = 24 * 3600
UPLOAD_TOKEN = re.compile(r"^[0-9a-f]{32}$")
UPLOAD_TEMPLATE = "admin/campaigns/campaign/upload.html"
PREVIEW_TEMPLATE = "admin/campaigns/campaign/upload_preview.html"


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


def _cost(project: Project, values: dict, rows: int) -> dict:
    """What publishing would freeze, and from whose wallet (the project owner's pays for its campaigns)."""
    quote = campaign_budget_quote(
        payer=project.owner,
        payment_per_result=values["payment_per_result"],
        results_per_task=values["results_per_task"],
        tasks=rows,
    )
    wallet = wallet_for_user(user=project.owner)
    return {
        "quote": quote,
        "commission_percent": format((quote.commission_rate * 100).normalize(), "f"),
        "wallet": wallet,
        "short": max(Decimal("0.00"), quote.total - wallet.available),
        "fund_url": reverse("admin:accounts_wallet_move", args=[wallet.pk]),
    }


class UploadViews:
    """The campaign admin's batch upload (mixed into ``CampaignAdmin``)."""

    def upload_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="campaigns_campaign_upload"),
        ]

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
        if request.method == "POST" and "quote" in request.POST:
            return self._upload_requote(request, context)
        if request.method == "POST" and "discard" in request.POST:
            token = request.POST.get("upload", "")
            if UPLOAD_TOKEN.match(token):
                _stored_upload(token).unlink(missing_ok=True)
            self.message_user(request, "Upload discarded; nothing was created.", messages.INFO)
            return HttpResponseRedirect(reverse("admin:campaigns_campaign_changelist"))
        form = BatchUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            return self._upload_preview(request, form, context)
        return TemplateResponse(request, UPLOAD_TEMPLATE, {**context, "form": form})

    def _upload_preview(self, request, form, context):
        project = form.cleaned_data["project"]
        upload = form.cleaned_data["csv_file"]
        token = uuid.uuid4().hex
        stored = _stored_upload(token)
        stored.parent.mkdir(parents=True, exist_ok=True)
        _forget_old_uploads(stored.parent)
        with open(stored, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
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
        try:
            return self._render_preview(request, context, confirm, confirm.initial)
        except ApplicationError as exc:
            stored.unlink(missing_ok=True)
            form.add_error("csv_file", _describe(exc))
        return TemplateResponse(request, UPLOAD_TEMPLATE, {**context, "form": form})

    def _render_preview(self, request, context, form, values, *, refused: str = ""):
        """The preview page of a stored upload, priced when its terms are valid; raises the ingest's error
        for a file that cannot become a campaign (nothing to work on included)."""
        project = values["project"]
        if not isinstance(project, Project):
            project = Project.objects.get(pk=project)
        priced = form.is_valid() if form.is_bound else True
        with open(_stored_upload(values["upload"]), "rb") as stream:
            header, first_rows, row_count = preview_csv(stream, project.template_fields, first=PREVIEW_ROWS)
        if not row_count:
            raise ApplicationError(
                "The file has a header but no rows: there would be nothing to work on.", code="empty-batch"
            )
        return TemplateResponse(
            request,
            PREVIEW_TEMPLATE,
            {
                **context,
                "title": "Preview the batch",
                "form": form,
                "project": project,
                "header": header,
                "preview": first_rows,
                "row_count": row_count,
                "template_fields": project.template_fields,
                "extra_columns": [h for h in header if h not in project.template_fields],
                "refused": refused,
                **(_cost(project, values, row_count) if priced else {}),
            },
        )

    def _terms_refused(self, request, context, form):
        """Terms the form refuses on a stored upload: the preview again, with the errors and without a
        price; None when there is no upload to go back to."""
        token, project = request.POST.get("upload", ""), request.POST.get("project", "")
        if not UPLOAD_TOKEN.match(token) or not project.isdigit() or not _stored_upload(token).exists():
            return None
        if not Project.objects.filter(pk=project).exists():
            return None
        return self._render_preview(request, context, form, {"upload": token, "project": int(project)})

    def _upload_requote(self, request, context):
        # The admin changed the terms on the preview page: the same file, its cost for the new terms.
        form = BatchConfirmForm(request.POST)
        if not form.is_valid() and (refused := self._terms_refused(request, context, form)) is not None:
            return refused
        if not form.is_valid() or not UPLOAD_TOKEN.match(form.cleaned_data["upload"]):
            self.message_user(request, "The upload is incomplete; start again.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:campaigns_campaign_upload"))
        if not _stored_upload(form.cleaned_data["upload"]).exists():
            self.message_user(
                request, "This upload was already used or has expired; start again.", messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:campaigns_campaign_upload"))
        return self._render_preview(request, context, form, form.cleaned_data)

    def _upload_confirm(self, request, context):
        form = BatchConfirmForm(request.POST)
        if not form.is_valid() and (refused := self._terms_refused(request, context, form)) is not None:
            return refused
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
        publish = request.POST.get("confirm") == "publish"
        try:
            with open(taken, "rb") as stream:
                campaign, job = campaign_create_with_csv(
                    project=data["project"],
                    created_by=request.user,
                    name=data["name"],
                    stream=stream,
                    publish=publish,
                    filename=data["filename"][:200],
                    results_per_task=data["results_per_task"],
                    time_allowed_s=data["time_allowed_s"],
                    payment_per_result=data["payment_per_result"],
                )
        except InsufficientFunds:
            # Nothing was created; the file goes back where the preview left it, for a second try.
            taken.rename(stored)
            return self._render_preview(request, context, form, data, refused="publish")
        except ApplicationError as exc:
            taken.unlink(missing_ok=True)
            self.message_user(request, f"Nothing was created: {_describe(exc)}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:campaigns_campaign_upload"))
        taken.unlink(missing_ok=True)
        state = "published" if publish else "left unpublished"
        self.message_user(
            request, f"Campaign “{campaign}” created with {job.rows} tasks, {state}.", messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:campaigns_campaign_progress", args=[campaign.pk]))
