"""Admin actions on assignments for review. The Assignment admin lists ``REVIEW_ACTIONS``.

Each action calls the review services one result at a time, so every rule (review window, money,
reopening the task) applies exactly as in the API; errors are reported per result, not raised.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone

from crowdplatform.errors import ApplicationError

from . import decisions, review
from .models import AssignmentState

DEFAULT_REJECT_REASON = "Rejected by an administrator: the result does not meet the instructions."


def _each(modeladmin, request, queryset, verb: str, call, *, already=None) -> None:
    """Call the service for each selected result and report what happened; results already in the state
    ``already`` are counted apart (the services leave them as they are)."""
    done, failed = 0, []
    skipped = set(queryset.filter(state=already).values_list("pk", flat=True)) if already else set()
    for pk in queryset.values_list("pk", flat=True):
        if pk in skipped:
            continue
        try:
            call(pk)
            done += 1
        except ApplicationError as exc:
            failed.append(f"#{pk}: {exc.message}")
    if done:
        modeladmin.message_user(request, f"{done} result(s) {verb}.", messages.SUCCESS)
    if skipped:
        modeladmin.message_user(request, f"{len(skipped)} result(s) were {verb} already.", messages.INFO)
    if failed:
        modeladmin.message_user(request, "Not changed: " + "; ".join(failed[:20]), messages.WARNING)


@admin.action(description="Approve selected results (and pay the workers)")
def approve_results(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset,
        "approved",
        lambda pk: decisions.assignment_approve(assignment_id=pk, reviewer=request.user),
        already=AssignmentState.APPROVED,
    )


@admin.action(description="Reject selected results (default reason)")
def reject_results(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset,
        "rejected",
        lambda pk: decisions.assignment_reject(
            assignment_id=pk, reviewer=request.user, reason=DEFAULT_REJECT_REASON
        ),
    )


class SoftRejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="Shown to the worker (Markdown): what to change.",
    )
    until = forms.DateTimeField(help_text="The worker may redo and resubmit until then (UTC).")

    def clean_until(self):
        # Said here, with the reason still in the form, rather than after leaving it (the review service
        # refuses it too).
        until = self.cleaned_data["until"]
        if until <= timezone.now():
            raise forms.ValidationError("The deadline must be in the future.")
        return until


@admin.action(description="Send selected results back for a redo (soft-reject, with a reason and a deadline)")
def soft_reject_results(modeladmin, request, queryset):
    # The first call shows the form; its submit comes back here with "apply" and the same selection.
    form = SoftRejectForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        reason, until = form.cleaned_data["reason"], form.cleaned_data["until"]
        _each(
            modeladmin,
            request,
            queryset,
            "sent back for a redo",
            lambda pk: decisions.assignment_soft_reject(
                assignment_id=pk, reviewer=request.user, reason=reason, until=until
            ),
        )
        return None
    if not form.is_bound:
        form = SoftRejectForm(initial={"until": timezone.now() + timedelta(days=2)})
    return TemplateResponse(
        request,
        "admin/results/assignment/soft_reject.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Send results back for a redo",
            "form": form,
            "results": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


@admin.action(description="Overturn selected rejections into approvals")
def overturn_rejections(modeladmin, request, queryset):
    _each(
        modeladmin,
        request,
        queryset,
        "approved",
        lambda pk: decisions.assignment_overturn(assignment_id=pk, reviewer=request.user),
    )


@admin.action(description="Approve every due result now (run the auto-approval sweep)")
def run_auto_approval(modeladmin, request, queryset):
    count = review.results_auto_approve_due()
    modeladmin.message_user(request, f"{count} due result(s) approved and paid.", messages.SUCCESS)


REVIEW_ACTIONS: list = [
    approve_results,
    reject_results,
    soft_reject_results,
    overturn_rejections,
    run_auto_approval,
]
