"""Swarms campaigns as compositions of engine services, each all or nothing.

A Swarms campaign has no project: each requester's Swarms campaigns live in one project of theirs
("Swarms campaigns", made on first use), and the fields the engine has no column for (``maxUploadTime``,
``properties``) in ``CampaignText``.
"""

from django.contrib.auth.models import Group, User
from django.db import transaction

from campaigns.services import campaign_create, campaign_update, campaign_workers_set
from projects.models import Project
from projects.services import project_create
from tasks.jobs import campaign_copy

from .models import CampaignText

PROJECT_MARK = "swarms_campaigns"


def _project_for(user: User) -> Project:
    project = Project.objects.filter(owner=user, **{f"data__{PROJECT_MARK}": True}).order_by("pk").first()
    return project or project_create(owner=user, name="Swarms campaigns", data={PROJECT_MARK: True})


def _save_text(campaign, text: dict) -> None:
    if text:
        CampaignText.objects.update_or_create(campaign=campaign, defaults=text)


def _set_group(campaign, group: Group | None, given: bool) -> None:
    """``workerGroup``: a group restricts the campaign to its members; ``null`` opens it to everyone again
    (and changes nothing on a campaign that has no group)."""
    if not given:
        return
    if group is not None:
        campaign_workers_set(campaign=campaign, users=[], groups=[group], replace=True)
    elif campaign.worker_groups.exists():
        campaign_workers_set(campaign=campaign, users=[], groups=[], replace=True)
        campaign_update(campaign=campaign, restricted=False)


@transaction.atomic
def swarms_campaign_create(*, user: User, name: str, values: dict, text: dict, group=None, group_given=False):
    campaign = campaign_create(project=_project_for(user), created_by=user, name=name, **values)
    CampaignText.objects.create(campaign=campaign, **text)
    _set_group(campaign, group, group_given)
    return campaign


@transaction.atomic
def swarms_campaign_update(*, campaign, values: dict, text: dict, group=None, group_given=False):
    if values:
        campaign = campaign_update(campaign=campaign, **values)
    _save_text(campaign, text)
    _set_group(campaign, group, group_given)
    return campaign


@transaction.atomic
def swarms_campaign_copy(*, campaign, deep: bool, user: User):
    copy = campaign_copy(campaign=campaign, deep=deep, by=user)
    text = CampaignText.objects.filter(campaign=campaign).first()
    if text is not None:
        text.pk = None
        text.campaign = copy
        text.save()
    return copy
