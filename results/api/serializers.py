from rest_framework import serializers

from results.models import Assignment, AssignmentState


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


class WorkAssignmentOutputSerializer(serializers.Serializer):
    """An assignment as its worker sees it: the task to do and where it stands."""

    # Declared field by field rather than a ModelSerializer: it answers every claim and submit, and building
    # the fields from the model on each use cost more CPU than the rest of the response.
    id = serializers.IntegerField(read_only=True)
    campaign = serializers.IntegerField(source="campaign_id")
    campaign_name = serializers.CharField(source="campaign.name")
    task = WorkTaskSerializer()
    state = serializers.ChoiceField(choices=AssignmentState.choices)
    answers = serializers.JSONField()
    accepted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(
        allow_null=True, help_text=Assignment._meta.get_field("closed_at").help_text
    )
    feedback = serializers.CharField()
    redo_until = serializers.DateTimeField(allow_null=True)


class AnswersInputSerializer(serializers.Serializer):
    answers = serializers.JSONField(
        help_text="Field name → value, or a list of values for a multi-valued field."
    )
