from rest_framework import serializers

from crowdplatform.api.fields import JSONObjectField
from crowdplatform.limits import MAX_PRIORITY, MAX_RESULTS_PER_TASK, MAX_TIME_ALLOWED_S
from projects.models import Project


class ProjectOutputSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")

    class Meta:
        model = Project
        fields = [
            "id",
            "owner",
            "name",
            "description",
            "priority",
            "task_class",
            "data",
            "html_template",
            "template_filename",
            "template_fields",
            "external_url",
            "default_results_per_task",
            "default_time_allowed_s",
            "login_required",
            "restricted",
            "active",
            "archived",
            "created_at",
            "updated_at",
        ]


class ProjectInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    priority = serializers.IntegerField(required=False, min_value=-MAX_PRIORITY, max_value=MAX_PRIORITY)
    task_class = serializers.ChoiceField(choices=Project.TaskClass.choices, required=False)
    data = JSONObjectField(required=False)
    html_template = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    template_filename = serializers.CharField(required=False, allow_blank=True, max_length=200)
    external_url = serializers.URLField(required=False, allow_blank=True)
    default_results_per_task = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_RESULTS_PER_TASK
    )
    default_time_allowed_s = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_TIME_ALLOWED_S
    )
    login_required = serializers.BooleanField(required=False)
    restricted = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)
    archived = serializers.BooleanField(required=False)

    def validate_data(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object.", code="invalid-type")
        return value
