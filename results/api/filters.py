import django_filters

from crowdplatform.api.filters import own_column_choices
from results.models import Assignment, AssignmentState


class AssignmentFilter(django_filters.FilterSet):
    """Requester-side filters on assignments (seed 003 style query parameters)."""

    campaign = django_filters.NumberFilter(field_name="campaign_id")
    task = django_filters.NumberFilter(field_name="task_id")
    state = own_column_choices(AssignmentState.choices)
    worker = django_filters.CharFilter(method="filter_worker", help_text="A worker's id or username.")
    since = django_filters.IsoDateTimeFilter(
        field_name="submitted_at", lookup_expr="gte", help_text="Submitted at or after this time (ISO 8601)."
    )

    class Meta:
        model = Assignment
        fields = ["campaign", "task", "state", "worker", "since"]

    def filter_worker(self, queryset, name, value):
        if value.isdigit():
            return queryset.filter(worker_id=int(value))
        return queryset.filter(worker__username=value)


class WorkAssignmentFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id")
    state = own_column_choices(AssignmentState.choices)

    class Meta:
        model = Assignment
        fields = ["campaign", "state"]
