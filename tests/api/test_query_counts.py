"""List endpoints cost a constant number of queries, whatever the number of rows on the page."""

import pytest

from campaigns.models import CampaignState
from results.claim import assignment_claim_next
from results.services import assignment_submit
from tests.conftest import token_client
from tests.factories import CampaignFactory, GroupFactory, ProjectFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

# Authentication, the requester check, the selector's scoping reads, the count and the page.
MAX_QUERIES = 10


def _add_rows(campaign, n):
    """n tasks, each with two submitted results, plus a campaign and a project, all of one requester."""
    for _ in range(n):
        TaskFactory(campaign=campaign)
        for _ in range(2):
            worker = UserFactory()
            assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
            assignment_submit(assignment_id=assignment.pk, worker=worker, answers={"label": "x"})
        CampaignFactory(project=campaign.project)
        ProjectFactory(owner=campaign.project.owner)


def _queries(client, url, django_assert_max_num_queries):
    client.get(url)  # the first request of a token also records its last use; measure a steady one
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.json()["data"]["count"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/",
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{campaign}/tasks/",
        "/api/v1/assignments/",
        "/api/v1/tokens/",
    ],
)
def test_requester_lists(requester, django_assert_max_num_queries, url):
    campaign = CampaignFactory(
        project=ProjectFactory(owner=requester), state=CampaignState.ACTIVE, results_per_task=2
    )
    client = token_client(requester)
    url = url.format(campaign=campaign.pk)
    _add_rows(campaign, 1)
    few, few_count = _queries(client, url, django_assert_max_num_queries)
    _add_rows(campaign, 12)
    many, many_count = _queries(client, url, django_assert_max_num_queries)
    assert many == few
    assert url.endswith("tokens/") or many_count > few_count


@pytest.mark.parametrize("url", ["/api/v1/work/campaigns/", "/api/v1/work/assignments/"])
def test_worker_lists(worker, worker_client, django_assert_max_num_queries, url):
    def add(n):
        for _ in range(n):
            campaign = CampaignFactory(state=CampaignState.ACTIVE)
            TaskFactory(campaign=campaign)
            TaskFactory(campaign=campaign)
            assignment_claim_next(campaign_id=campaign.pk, worker=worker)

    add(1)
    few, few_count = _queries(worker_client, url, django_assert_max_num_queries)
    add(12)
    many, many_count = _queries(worker_client, url, django_assert_max_num_queries)
    assert (many, few_count, many_count) == (few, 1, 13)


@pytest.mark.parametrize("url", ["/api/v1/users/", "/api/v1/groups/", "/api/v1/permissions/"])
def test_staff_lists(django_assert_max_num_queries, url):
    client = token_client(UserFactory(is_staff=True))

    def add(n):
        for _ in range(n):
            user = UserFactory()
            group = GroupFactory()
            user.groups.add(group)
            user.permission_grants.create(name="projects.read")

    add(1)
    few, _ = _queries(client, url, django_assert_max_num_queries)
    add(12)
    many, _ = _queries(client, url, django_assert_max_num_queries)
    assert many == few
