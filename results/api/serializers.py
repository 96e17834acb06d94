from rest_framework import serializers

from results.models import Assignment


class AssignmentWorkerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class AssignmentOutputSerializer(serializers.ModelSerializer):
    """An assignment as the requester sees it."""

    worker = AssignmentWorkerSerializer()
    input = serializers.JSONField(source="task.input", help_text="The task's input.")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "campaign",
            "task",
            "worker",
            "state",
            "input",
            "answers",
            "accepted_at",
            "expires_at",
            "submitted_at",
            "closed_at",
            "review_due_at",
            "reviewed_at",
            "feedback",
            "quality",
        ]


class WorkTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    input = serializers.JSONField()


class WorkAssignmentOutputSerializer(serializers.ModelSerializer):
    """An assignment as its worker sees it: the task to do and where it stands."""

    campaign_name = serializers.CharField(source="campaign.name")
    task = WorkTaskSerializer()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "campaign",
            "campaign_name",
            "task",
            "state",
            "answers",
            "accepted_at",
            "expires_at",
            "submitted_at",
            "closed_at",
            "feedback",
            "redo_until",
        ]


class AnswersInputSerializer(serializers.Serializer):
    answers = serializers.JSONField(
        help_text="Field name → value, or a list of values for a multi-valued field."
    )
