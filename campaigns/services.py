from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from crowdplatform.errors import Conflict, ValidationFailed
from crowdplatform.limits import MAX_RESULTS_PER_TASK, MAX_TIME_ALLOWED_S
from projects.models import Project

from .budget import campaign_budget_freeze, campaign_budget_release
from .lifecycle import next_state
from .models import Campaign, CampaignState

EDITABLE_FIELDS = {
    "name",
    "title",
    "description",
    "terms",
    "est_duration_s",
    "results_per_task",
    "max_results_per_worker",
    "restricted",
    "time_allowed_s",
    "start_at",
    "end_at",
    "login_required",
    "training",
    "filename",
    "payment_per_result",
    "review_window_s",
}
# Once work is out, changing how much is asked or paid would break promises made to workers and budgets.
FROZEN_AFTER_PUBLISH = {"results_per_task", "payment_per_result"}


def campaign_qs_for_update():
    return Campaign.objects.select_for_update()


def _validate(values: dict) -> None:
    if "name" in values and not str(values["name"]).strip():
        raise ValidationFailed("A campaign needs a name.", code="required", field="name")
    for field, most in (("results_per_task", MAX_RESULTS_PER_TASK), ("time_allowed_s", MAX_TIME_ALLOWED_S)):
        if field in values and (not isinstance(values[field], int) or not 1 <= values[field] <= most):
            raise ValidationFailed(
                f"{field} must be a whole number from 1 to {most}.", code="invalid", field=field
            )
    est = values.get("est_duration_s")
    if est is not None and (not isinstance(est, int) or not 1 <= est <= MAX_TIME_ALLOWED_S):
        raise ValidationFailed(
            f"est_duration_s must be empty or a whole number from 1 to {MAX_TIME_ALLOWED_S}.",
            code="invalid",
            field="est_duration_s",
        )
    cap = values.get("max_results_per_worker")
    if cap is not None and (not isinstance(cap, int) or cap < 1):
        raise ValidationFailed(
            "max_results_per_worker must be empty or at least 1.",
            code="invalid",
            field="max_results_per_worker",
        )
    if "payment_per_result" in values and Decimal(str(values["payment_per_result"])) < 0:
        raise ValidationFailed(
            "payment_per_result cannot be negative.", code="invalid", field="payment_per_result"
        )
    start, end = values.get("start_at"), values.get("end_at")
    if start and end and end <= start:
        raise ValidationFailed("end_at must be after start_at.", code="invalid-dates", field="end_at")


@transaction.atomic
def campaign_create(*, project: Project, created_by: User, name: str, **values) -> Campaign:
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            f"Unknown field {sorted(unknown)[0]}.", code="unknown-field", field=sorted(unknown)[0]
        )
    values.setdefault("results_per_task", project.default_results_per_task)
    values.setdefault("time_allowed_s", project.default_time_allowed_s)
    values.setdefault("login_required", project.login_required)
    values.setdefault("training", project.task_class == Project.TaskClass.TRAINING)
    values["name"] = name
    _validate(values)
    return Campaign.objects.create(project=project, created_by=created_by, **values)


@transaction.atomic
def campaign_update(*, campaign: Campaign, **values) -> Campaign:
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            f"Unknown field {sorted(unknown)[0]}.", code="unknown-field", field=sorted(unknown)[0]
        )
    campaign = campaign_qs_for_update().get(pk=campaign.pk)
    if campaign.state in {CampaignState.FINISHED, CampaignState.CANCELLED, CampaignState.ARCHIVED}:
        raise Conflict(f"A {campaign.state} campaign cannot be changed.", code="campaign-closed")
    if campaign.state != CampaignState.UNPUBLISHED:
        for field in FROZEN_AFTER_PUBLISH & set(values):
            if values[field] != getattr(campaign, field):
                raise Conflict(
                    f"{field} cannot change once the campaign is published.", code="frozen-field", field=field
                )
    merged = {"start_at": campaign.start_at, "end_at": campaign.end_at, **values}
    _validate(merged)
    for key, value in values.items():
        setattr(campaign, key, value)
    campaign.save()
    return campaign


def _transition(campaign: Campaign, action: str) -> Campaign:
    """Lock the campaign, check the transition table, move. Callers hold the transaction."""
    campaign = campaign_qs_for_update().get(pk=campaign.pk)
    target = next_state(campaign.state, action)
    if target is None:
        raise Conflict(
            f"Cannot {action} a campaign that is {campaign.state}.",
            code="illegal-transition",
            extra={"state": campaign.state, "action": action},
        )
    if action == "archive":
        campaign.archived_from = campaign.state
    elif action == "unarchive":
        target, campaign.archived_from = campaign.archived_from or target, ""
    campaign.state = target
    now = timezone.now()
    if action == "publish":
        campaign.published_at = now
    if target in {CampaignState.FINISHED, CampaignState.CANCELLED}:
        campaign.closed_at = now
    campaign.save(update_fields=["state", "published_at", "closed_at", "archived_from", "updated_at"])
    # Money moves in the same transaction: a publish without the budget is refused as a whole (402).
    if action == "publish":
        campaign_budget_freeze(campaign=campaign, now=now)
    elif target in {CampaignState.FINISHED, CampaignState.CANCELLED}:
        campaign_budget_release(campaign=campaign, now=now)
    return campaign


@transaction.atomic
def campaign_publish(*, campaign: Campaign) -> Campaign:
    return _transition(campaign, "publish")


@transaction.atomic
def campaign_pause(*, campaign: Campaign) -> Campaign:
    return _transition(campaign, "pause")


@transaction.atomic
def campaign_continue(*, campaign: Campaign) -> Campaign:
    return _transition(campaign, "continue")


@transaction.atomic
def campaign_finish(*, campaign: Campaign) -> Campaign:
    return _transition(campaign, "finish")


@transaction.atomic
def campaign_cancel(*, campaign: Campaign) -> Campaign:
    return _transition(campaign, "cancel")


@transaction.atomic
def campaign_archive(*, campaign: Campaign) -> Campaign:
    return _transition(campaign, "archive")


@transaction.atomic
def campaign_unarchive(*, campaign: Campaign) -> Campaign:
    return _transition(campaign, "unarchive")


CAMPAIGN_ACTIONS = {
    "publish": campaign_publish,
    "pause": campaign_pause,
    "continue": campaign_continue,
    "finish": campaign_finish,
    "cancel": campaign_cancel,
    "archive": campaign_archive,
    "unarchive": campaign_unarchive,
}


@transaction.atomic
def campaign_set_active(*, campaign: Campaign, active: bool) -> Campaign:
    """Turn work on or off with one flag (as Turkle batches do): publish or continue, or pause."""
    state = campaign_qs_for_update().get(pk=campaign.pk).state
    if active and state == CampaignState.UNPUBLISHED:
        return _transition(campaign, "publish")
    if active and state == CampaignState.PAUSED:
        return _transition(campaign, "continue")
    if not active and state == CampaignState.UNPUBLISHED:
        _transition(campaign, "publish")
        return _transition(campaign, "pause")
    if not active and state == CampaignState.ACTIVE:
        return _transition(campaign, "pause")
    if (state == CampaignState.ACTIVE) == active:
        return campaign_qs_for_update().get(pk=campaign.pk)
    raise Conflict(
        f"A {state} campaign cannot be {'activated' if active else 'deactivated'}.",
        code="illegal-transition",
        extra={"state": state},
    )


@transaction.atomic
def campaign_change(*, campaign: Campaign, active: bool | None = None, **values) -> Campaign:
    """Change fields and turn work on or off in one go (a Turkle batch PATCH): all of it, or, when any part
    is refused (the wallet cannot fund the activation, say), none of it."""
    if values:
        campaign = campaign_update(campaign=campaign, **values)
    if active is not None:
        campaign = campaign_set_active(campaign=campaign, active=active)
    return campaign


@transaction.atomic
def campaign_workers_set(
    *, campaign: Campaign, users: list[User], groups: list[Group], replace: bool = False
) -> Campaign:
    """Grant the listed users and groups work on the campaign, which becomes restricted to its lists."""
    campaign = campaign_qs_for_update().get(pk=campaign.pk)
    if replace:
        campaign.worker_users.set(users)
        campaign.worker_groups.set(groups)
    else:
        campaign.worker_users.add(*users)
        campaign.worker_groups.add(*groups)
    if not campaign.restricted:
        campaign.restricted = True
        campaign.save(update_fields=["restricted", "updated_at"])
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign) -> None:
    """Delete a campaign that was never published (with its tasks). A running campaign is cancelled first;
    a published one keeps its results and money history, so it is archived rather than deleted."""
    campaign = campaign_qs_for_update().get(pk=campaign.pk)
    if campaign.state in {CampaignState.ACTIVE, CampaignState.PAUSED}:
        raise Conflict(
            "A running campaign cannot be deleted; cancel it first.",
            code="campaign-running",
            extra={"state": campaign.state},
        )
    if campaign.state != CampaignState.UNPUBLISHED:
        raise Conflict(
            f"A {campaign.state} campaign keeps its results; archive it instead.",
            code="campaign-has-results",
            extra={"state": campaign.state},
        )
    campaign.delete()
