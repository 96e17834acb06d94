import pytest

from campaigns.models import CampaignState
from campaigns.services import campaign_change, campaign_update
from crowdplatform.errors import InsufficientFunds, ValidationFailed
from crowdplatform.limits import MAX_RESULTS_PER_TASK, MAX_TIME_ALLOWED_S
from tests.factories import CampaignFactory, TaskFactory
from tests.money.scenario import campaign_with_tasks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field, value",
    [("time_allowed_s", MAX_TIME_ALLOWED_S + 1), ("results_per_task", MAX_RESULTS_PER_TASK + 1)],
)
def test_numbers_past_their_bound_are_refused_by_the_engine_whatever_the_surface(field, value):
    # given a campaign, when a number past its bound is set through the service itself
    campaign = CampaignFactory(state=CampaignState.UNPUBLISHED)
    with pytest.raises(ValidationFailed) as err:
        campaign_update(campaign=campaign, **{field: value})
    # then it is refused on that field, and the campaign is as it was
    assert err.value.field == field
    campaign.refresh_from_db()
    assert getattr(campaign, field) != value


def test_a_change_whose_activation_cannot_be_funded_writes_nothing():
    # given an unpublished paid campaign of a requester without money
    campaign = campaign_with_tasks(publish=False, payment="1.00")
    TaskFactory(campaign=campaign)
    name = campaign.name
    # when it is renamed and activated in one change
    with pytest.raises(InsufficientFunds):
        campaign_change(campaign=campaign, name="Renamed", active=True)
    # then the activation is refused for want of money and the new name is not kept
    campaign.refresh_from_db()
    assert (campaign.name, campaign.state) == (name, CampaignState.UNPUBLISHED)
