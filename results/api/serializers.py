from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.selectors import job_screens
from results.models import Assignment, AssignmentState
from tasks.jobs import job_task_results


class AssignmentWorkerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class AssignmentOutputSerializer(serializers.ModelSerializer):
    """An assignment as the requester sees it."""

    worker = AssignmentWorkerSerializer()
    input = serializers.JSONField(source="task.input", help_text="The task's input.")
    job = serializers.IntegerField(
        source="task.job_id", allow_null=True, help_text="The job, for a task of a job."
    )
    task_results = serializers.SerializerMethodField(
        help_text="For a job: per screen its times and one result per interactive component (seed 004 shape)."
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "campaign",
            "task",
            "job",
            "worker",
            "state",
            "input",
            "answers",
            "task_results",
            "accepted_at",
            "expires_at",
            "submitted_at",
            "closed_at",
            "review_due_at",
            "reviewed_at",
            "feedback",
            "quality",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField(), allow_null=True))
    def get_task_results(self, assignment):
        job_id = assignment.task.job_id
        if job_id is None:
            return None
        # One read of a job's screens per page, however many of its results the page lists.
        screens = self.context.setdefault("job_screens", {})
        if job_id not in screens:
            screens[job_id] = job_screens(job_id=job_id)
        return job_task_results(job_id=job_id, answers=assignment.answers, screens=screens[job_id])


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

    def to_representation(self, assignment):
        # The fields above are the contract (and the schema); this writes the same values without copying
        # and binding a dozen field objects per response, which cost more than the claim's own SQL.
        # tests/api/test_work.py checks it against DRF's field-by-field rendering.
        at = _DATETIME.to_representation
        task = assignment.task
        return {
            "id": assignment.pk,
            "campaign": assignment.campaign_id,
            "campaign_name": assignment.campaign.name,
            "task": {"id": task.pk, "position": task.position, "input": task.input},
            "state": assignment.state,
            "answers": assignment.answers,
            "accepted_at": at(assignment.accepted_at),
            "expires_at": at(assignment.expires_at),
            "submitted_at": assignment.submitted_at and at(assignment.submitted_at),
            "closed_at": assignment.closed_at and at(assignment.closed_at),
            "feedback": assignment.feedback,
            "redo_until": assignment.redo_until and at(assignment.redo_until),
        }


_DATETIME = serializers.DateTimeField()


class AnswersInputSerializer(serializers.Serializer):
    answers = serializers.JSONField(
        help_text="Field name → value, or a list of values for a multi-valued field."
    )
