from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from accounts.models import PermissionGrant, PermissionName
from accounts.services import api_token_create
from results.models import Assignment, AssignmentState
from tasks.models import ImportJob
from tests.factories import CampaignFactory, GroupFactory, ProjectFactory, TaskFactory, UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "correct-horse")


@pytest.fixture
def admin_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


def make_world(n: int = 1) -> dict:
    """``n`` of everything the admin lists, linked to each other as in real use."""
    now = timezone.now()
    world = {}
    for _ in range(n):
        group = GroupFactory()
        worker = UserFactory()
        worker.groups.add(group)
        PermissionGrant.objects.create(group=group, name=PermissionName.PROJECTS_READ)
        api_token_create(user=worker, name="script")
        campaign = CampaignFactory()
        campaign.worker_users.add(worker)
        task = TaskFactory(campaign=campaign)
        Assignment.objects.create(
            task=task,
            campaign=campaign,
            worker=worker,
            state=AssignmentState.ACCEPTED,
            accepted_at=now,
            expires_at=now + timedelta(hours=1),
        )
        ImportJob.objects.create(campaign=campaign, filename="x.csv", header=["text"], rows=1)
        world = {"group": group, "worker": worker, "campaign": campaign, "task": task}
    world["project"] = ProjectFactory()
    return world
