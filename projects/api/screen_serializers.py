from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.models import Job, Screen


class ScreenInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    components = serializers.JSONField(
        required=False, help_text="The screen's components, in order (see docs/components.md)."
    )
    properties = serializers.JSONField(required=False, help_text="Free key/value text.")


class ScreenOutputSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    read_only = serializers.BooleanField(
        source="is_read_only", help_text="In a job of a published campaign: it cannot be changed (copy it)."
    )

    class Meta:
        model = Screen
        fields = [
            "id",
            "owner",
            "name",
            "components",
            "properties",
            "archived",
            "read_only",
            "created_at",
            "updated_at",
        ]


class JobInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    properties = serializers.JSONField(required=False, help_text="Free key/value text.")
    screens = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Ids of the job's screens, in order."
    )


class JobOutputSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    screens = serializers.SerializerMethodField(help_text="Ids of the job's screens, in order.")
    read_only = serializers.BooleanField(
        source="is_read_only", help_text="Offered by a published campaign: it cannot be changed (copy it)."
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "owner",
            "name",
            "description",
            "properties",
            "screens",
            "archived",
            "read_only",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_screens(self, job) -> list[int]:
        return [js.screen_id for js in job.job_screens.all()]


class ScreenIdsInputSerializer(serializers.Serializer):
    screens = serializers.ListField(child=serializers.IntegerField(), help_text="Screen ids, in order.")


class JobIdsInputSerializer(serializers.Serializer):
    jobs = serializers.ListField(child=serializers.IntegerField(), help_text="Job ids, in order.")


class MarkdownInputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=50_000)


class MarkdownOutputSerializer(serializers.Serializer):
    html = serializers.CharField(help_text="The HTML the worker will see, sanitised.")
