import pytest

from campaigns.models import CampaignState
from tests.conftest import token_client
from tests.factories import CampaignFactory, ProjectFactory, RequesterFactory, TaskFactory, UserFactory


@pytest.fixture
def project(requester):
    return ProjectFactory(owner=requester)


@pytest.fixture
def campaign(project):
    return CampaignFactory(project=project, state=CampaignState.UNPUBLISHED, results_per_task=2)


@pytest.fixture
def active_campaign(project):
    campaign = CampaignFactory(project=project, state=CampaignState.ACTIVE, results_per_task=1)
    for _ in range(3):
        TaskFactory(campaign=campaign)
    campaign.tasks_count = 3
    campaign.save(update_fields=["tasks_count"])
    return campaign


@pytest.fixture
def other_requester(db):
    return RequesterFactory()


@pytest.fixture
def other_client(other_requester):
    return token_client(other_requester)


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def staff_client(staff):
    return token_client(staff)
