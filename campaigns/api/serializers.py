from rest_framework import serializers

from campaigns.lifecycle import allowed_actions
from campaigns.models import Campaign
from crowdplatform.limits import MAX_INTEGER, MAX_RESULTS_PER_TASK, MAX_REVIEW_WINDOW_S, MAX_TIME_ALLOWED_S


class CampaignOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username")
    allowed_actions = serializers.SerializerMethodField(
        help_text="Actions allowed in the current state: POST /campaigns/{id}/{action}/."
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "project",
            "name",
            "title",
            "description",
            "terms",
            "est_duration_s",
            "state",
            "allowed_actions",
            "results_per_task",
            "max_results_per_worker",
            "restricted",
            "time_allowed_s",
            "start_at",
            "end_at",
            "login_required",
            "training",
            "filename",
            "payment_per_result",
            "review_window_s",
            "tasks_count",
            "created_by",
            "created_at",
            "updated_at",
            "published_at",
            "closed_at",
        ]

    def get_allowed_actions(self, campaign) -> list[str]:
        return allowed_actions(campaign.state)


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="The title workers see (else the name)."
    )
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=20_000, help_text="What workers read about the work."
    )
    terms = serializers.CharField(
        required=False, allow_blank=True, max_length=20_000, help_text="What workers agree to by working."
    )
    est_duration_s = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_TIME_ALLOWED_S,
        help_text="About how many seconds one task takes, as workers are told.",
    )
    results_per_task = serializers.IntegerField(required=False, min_value=1, max_value=MAX_RESULTS_PER_TASK)
    max_results_per_worker = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_INTEGER
    )
    restricted = serializers.BooleanField(required=False)
    time_allowed_s = serializers.IntegerField(required=False, min_value=1, max_value=MAX_TIME_ALLOWED_S)
    start_at = serializers.DateTimeField(required=False, allow_null=True)
    end_at = serializers.DateTimeField(required=False, allow_null=True)
    login_required = serializers.BooleanField(required=False)
    training = serializers.BooleanField(required=False)
    filename = serializers.CharField(required=False, allow_blank=True, max_length=200)
    payment_per_result = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=0
    )
    review_window_s = serializers.IntegerField(required=False, min_value=0, max_value=MAX_REVIEW_WINDOW_S)


class WorkCampaignOutputSerializer(serializers.ModelSerializer):
    """A campaign as a worker sees it: what it is and how much work is left for them."""

    project_name = serializers.CharField(source="project.name")
    title = serializers.CharField(source="shown_title", help_text="The campaign's title, else its name.")
    description = serializers.CharField(
        source="shown_description", help_text="The campaign's description, else its project's."
    )
    available_tasks = serializers.SerializerMethodField(
        help_text="Tasks this worker could still claim now (bounded by the per-worker cap)."
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "project_name",
            "title",
            "description",
            "terms",
            "est_duration_s",
            "time_allowed_s",
            "payment_per_result",
            "max_results_per_worker",
            "end_at",
            "available_tasks",
        ]

    def get_available_tasks(self, campaign) -> int:
        available = campaign.available_tasks
        if campaign.max_results_per_worker is not None:
            available = min(available, max(campaign.max_results_per_worker - campaign.worker_done, 0))
        return available
