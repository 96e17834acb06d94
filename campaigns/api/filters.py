import django_filters

from campaigns.models import Campaign, CampaignState
from crowdplatform.api.filters import BooleanFilter, IdFilter, own_column_choices


class CampaignFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    state = own_column_choices(CampaignState.choices)
    training = BooleanFilter()

    class Meta:
        model = Campaign
        fields = ["project", "state", "training"]
