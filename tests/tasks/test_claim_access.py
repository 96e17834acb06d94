"""The claim path checks one campaign's rule on the loaded row; it must agree with the worker's list."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from campaigns.models import CampaignState
from campaigns.selectors import campaign_get_for_worker, campaign_list_for_worker
from crowdplatform.errors import ApplicationError
from tests.factories import CampaignFactory, GroupFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
SETUPS = {
    "active": {},
    "paused": {"state": CampaignState.PAUSED},
    "unpublished": {"state": CampaignState.UNPUBLISHED},
    "finished": {"state": CampaignState.FINISHED},
    "project inactive": {"project_active": False},
    "not started": {"start_at": NOW + timedelta(days=1)},
    "started": {"start_at": NOW - timedelta(days=1)},
    "ended": {"end_at": NOW - timedelta(days=1)},
    "not ended": {"end_at": NOW + timedelta(days=1)},
    "restricted, listed": {"restricted": True, "listed": "user"},
    "restricted, group": {"restricted": True, "listed": "group"},
    "restricted, other": {"restricted": True},
    "project restricted, listed": {"project_restricted": True, "listed": "project-user"},
    "project restricted, group": {"project_restricted": True, "listed": "project-group"},
    "project restricted, other": {"project_restricted": True},
    "open to anonymous": {"login_required": False},
}
USERS = ["worker", "anon-worker", "anonymous"]


def _given(setup: dict, who: str):
    project = ProjectFactory(
        active=setup.get("project_active", True), restricted=setup.get("project_restricted", False)
    )
    campaign = CampaignFactory(
        project=project,
        state=setup.get("state", CampaignState.ACTIVE),
        start_at=setup.get("start_at"),
        end_at=setup.get("end_at"),
        restricted=setup.get("restricted", False),
        login_required=setup.get("login_required", True),
    )
    if who == "anonymous":
        user = AnonymousUser()
    else:
        user = UserFactory(username=f"{who}-{campaign.pk}")
        group = GroupFactory()
        user.groups.add(group)
        listed = setup.get("listed")
        if listed == "user":
            campaign.worker_users.add(user)
        elif listed == "group":
            campaign.worker_groups.add(group)
        elif listed == "project-user":
            project.worker_users.add(user)
        elif listed == "project-group":
            project.worker_groups.add(group)
    return campaign, user


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("name", list(SETUPS))
def test_get_for_worker_agrees_with_the_worker_list(name, who):
    # given a campaign in this setup and a user of this kind
    campaign, user = _given(SETUPS[name], who)
    listed = campaign_list_for_worker(user=user).filter(pk=campaign.pk).exists()
    # when the claim path checks the campaign for this user
    try:
        got = campaign_get_for_worker(user=user, pk=campaign.pk)
    except ApplicationError:
        got = None
    # then it lets the user in exactly when the list shows the campaign
    assert (got is not None) == listed
    if got is not None:
        assert got.pk == campaign.pk
