import django_filters
from django.contrib.auth.models import User

from crowdplatform.api.filters import IdFilter, UtcIsoDateTimeFilter, own_column_choices
from crowdplatform.converters import MAX_ID
from crowdplatform.errors import ValidationFailed
from results.models import Assignment, AssignmentState


class AssignmentFilter(django_filters.FilterSet):
    """Requester-side filters on assignments (seed 003 style query parameters)."""

    campaign = IdFilter(field_name="campaign_id")
    task = IdFilter(field_name="task_id")
    state = own_column_choices(AssignmentState.choices)
    worker = django_filters.CharFilter(method="filter_worker", help_text="A worker's id or username.")
    since = UtcIsoDateTimeFilter(
        field_name="submitted_at", lookup_expr="gte", help_text="Submitted at or after this time (ISO 8601)."
    )

    class Meta:
        model = Assignment
        fields = ["campaign", "task", "state", "worker", "since"]

    def filter_worker(self, queryset, name, value):
        users = User.objects.filter(pk=int(value)) if value.isdigit() and int(value) <= MAX_ID else None
        if users is None or not users.exists():
            users = User.objects.filter(username=value)
        worker_id = users.values_list("pk", flat=True).first()
        if worker_id is None:
            # An empty page would read as "no results yet"; a name that matches nobody is a mistake.
            raise ValidationFailed(
                f"No worker has the id or username '{value}'.", code="unknown-worker", field=name
            )
        return queryset.filter(worker_id=worker_id)


class WorkAssignmentFilter(django_filters.FilterSet):
    campaign = IdFilter(field_name="campaign_id")
    state = own_column_choices(AssignmentState.choices)

    class Meta:
        model = Assignment
        fields = ["campaign", "state"]
