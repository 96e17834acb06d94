import django_filters

from campaigns.models import Campaign, CampaignState
from crowdplatform.api.filters import BooleanFilter, own_column_choices


class CampaignFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project_id")
    state = own_column_choices(CampaignState.choices)
    training = BooleanFilter()

    class Meta:
        model = Campaign
        fields = ["project", "state", "training"]
