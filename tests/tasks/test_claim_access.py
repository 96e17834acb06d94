"""The claim path checks one campaign's rule on the loaded row, or in SQL in the one-call claim; both must
agree with the worker's list."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from accounts.models import Profile
from accounts.services import guest_user_create
from campaigns.models import Campaign, CampaignState
from campaigns.selectors import campaign_get_for_worker, campaign_list_for_worker, is_anonymous_worker
from crowdplatform.errors import ApplicationError
from results import claim_sql
from results.models import Assignment
from tests.factories import CampaignFactory, GroupFactory, ProjectFactory, TaskFactory, UserFactory

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
        if who == "anon-worker":
            user.set_unusable_password()
            user.save()
            Profile.objects.create(user=user, guest=True)
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


FAST_PATH_SETUPS = {
    **SETUPS,
    "capped": {"max_results_per_worker": 5},
    "staged": {"tasks_staged": 10},
}


@pytest.mark.postgres
@pytest.mark.parametrize("who", ["worker", "anon-worker"])
@pytest.mark.parametrize("name", list(FAST_PATH_SETUPS))
def test_the_one_call_claim_takes_a_task_only_where_the_rule_lets_the_worker_in(name, who):
    # given a campaign in this setup, with one open task, and a worker of this kind
    setup = FAST_PATH_SETUPS[name]
    campaign, user = _given(setup, who)
    extra = {key: setup[key] for key in ("max_results_per_worker", "tasks_staged") if key in setup}
    Campaign.objects.filter(pk=campaign.pk).update(**extra)
    TaskFactory(campaign=campaign)
    listed = campaign_list_for_worker(user=user).filter(pk=campaign.pk).exists()
    # when the claim that checks its campaign in the same call runs
    outcome, assignment_id, *_ = claim_sql.claim_offered_in_one_call(
        campaign_id=campaign.pk, worker_id=user.pk, anonymous=is_anonymous_worker(user), now=timezone.now()
    )
    # then it takes the task exactly where the worker's list shows the campaign and nothing needs the full
    # path (a cap per worker, staged tasks); elsewhere it leaves the campaign to the full path, unwritten
    simple = not extra
    assert outcome == (claim_sql.TAKEN if listed and simple else claim_sql.CHECK)
    assert Assignment.objects.filter(campaign=campaign).exists() == (outcome == claim_sql.TAKEN)


@pytest.mark.parametrize("guest", [False, True])
def test_a_guest_is_told_by_the_profile_flag_not_by_the_name(guest):
    # given an account whose name looks like a guest's, flagged as a guest or not
    user = UserFactory(username="anon-0123456789abcdef")
    user.set_unusable_password()
    user.save()
    Profile.objects.create(user=user, guest=guest)
    user = User.objects.get(pk=user.pk)
    campaign = CampaignFactory(state=CampaignState.ACTIVE, login_required=True)
    # then only the flag decides whether a campaign that needs a login lets it in
    assert is_anonymous_worker(user) is guest
    assert campaign_list_for_worker(user=user).filter(pk=campaign.pk).exists() is not guest


def test_a_guest_account_is_made_with_the_flag():
    guest = guest_user_create()
    assert Profile.objects.get(user=guest).guest is True
    assert is_anonymous_worker(User.objects.get(pk=guest.pk)) is True


def test_a_guest_given_a_password_has_become_a_real_account():
    # given a guest account that staff later gave a password
    guest = guest_user_create()
    guest.set_password("correct-horse")
    guest.save()
    # then it is no longer a guest: campaigns that need a login let it in
    assert is_anonymous_worker(User.objects.get(pk=guest.pk)) is False
