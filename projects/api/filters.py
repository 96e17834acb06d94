import django_filters

from crowdplatform.api.filters import BooleanFilter
from projects.models import Project


class ProjectFilter(django_filters.FilterSet):
    active = BooleanFilter()
    archived = BooleanFilter()
    task_class = django_filters.ChoiceFilter(choices=Project.TaskClass.choices)

    class Meta:
        model = Project
        fields = ["active", "archived", "task_class"]
