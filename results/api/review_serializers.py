from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from results.models import Assignment


class ReviewedResultOutputSerializer(serializers.ModelSerializer):
    worker = serializers.IntegerField(source="worker_id")
    campaign = serializers.IntegerField(source="campaign_id")
    task = serializers.IntegerField(source="task_id")
    reviewer = serializers.IntegerField(source="reviewer_id", allow_null=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "campaign",
            "task",
            "worker",
            "state",
            "answers",
            "submitted_at",
            "review_due_at",
            "reviewed_at",
            "reviewer",
            "feedback",
            "redo_until",
            "quality",
        ]


class ApproveInputSerializer(serializers.Serializer):
    feedback = serializers.CharField(
        required=False, allow_blank=True, max_length=50_000, help_text="Shown to the worker (Markdown)."
    )


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Shown to the worker (Markdown)."
    )


class SoftRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, help_text="What to redo (Markdown).")
    until = serializers.DateTimeField(help_text="Deadline for the redo.")


class QualityInputSerializer(serializers.Serializer):
    quality = serializers.IntegerField(min_value=0, max_value=100)


class ApproveAllInputSerializer(serializers.Serializer):
    worker = serializers.IntegerField(
        required=False, allow_null=True, help_text="Only this worker's results."
    )


ApproveAllOutputSerializer = inline_serializer("ApproveAllOutput", {"approved": serializers.IntegerField()})

_pair_float = inline_serializer(
    "StandingReputation",
    {"me": serializers.FloatField(allow_null=True), "global": serializers.FloatField(allow_null=True)},
)
_pair_int = inline_serializer(
    "StandingExperience", {"me": serializers.IntegerField(), "global": serializers.IntegerField()}
)


def WorkerStandingOutputSerializer(**kwargs):  # noqa: N802 (a serializer factory, named as one)
    return inline_serializer(
        "WorkerStanding",
        {
            "id": serializers.IntegerField(),
            "username": serializers.CharField(),
            "reputation": _pair_float,
            "experience": _pair_int,
        },
        **kwargs,
    )


def CampaignWorkerOutputSerializer(**kwargs):  # noqa: N802
    return inline_serializer(
        "CampaignWorker",
        {
            "id": serializers.IntegerField(),
            "username": serializers.CharField(),
            "reputation": _pair_float,
            "experience": _pair_int,
            "results": inline_serializer(
                "CampaignWorkerResults",
                {
                    "in_review": serializers.IntegerField(),
                    "approved": serializers.IntegerField(),
                    "rejected": serializers.IntegerField(),
                },
            ),
        },
        **kwargs,
    )
