from rest_framework import serializers

from tasks.models import Task


class TaskOutputSerializer(serializers.ModelSerializer):
    submitted_count = serializers.IntegerField(help_text="Results submitted (in review or accepted).")
    in_progress_count = serializers.IntegerField(help_text="Workers holding the task now.")

    class Meta:
        model = Task
        fields = [
            "id",
            "campaign",
            "position",
            "input",
            "results_needed",
            "submitted_count",
            "in_progress_count",
            "is_open",
            "created_at",
        ]


class TaskIngestOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    import_id = serializers.IntegerField()


TASK_INGEST_REQUEST = {
    "application/json": {
        "type": "array",
        "items": {"type": "object", "additionalProperties": True},
        # An empty list is refused (no-tasks): an import of nothing is not recorded.
        "minItems": 1,
        "description": "One JSON object per task; its keys must cover the template's fields.",
    },
    "text/csv": {
        "type": "string",
        "description": "A CSV whose header covers the template's fields; one task per row.",
    },
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "required": ["file"],
    },
}
