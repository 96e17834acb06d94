"""Turkle's wire format for users, groups, projects (Project) and batches (Campaign).

Input serializers only parse; the views hand the parsed values to the engine's services.
"""

import math

from django.contrib.auth.models import Group, User
from rest_framework import serializers

from campaigns.models import Campaign, CampaignState
from crowdplatform.api.fields import FileNameField
from crowdplatform.limits import MAX_RESULTS_PER_TASK, MAX_TIME_ALLOWED_HOURS
from projects.models import Project

BATCH_PATCHABLE = {"name", "active", "allotted_assignment_time"}
# Turkle's default time allowed per assignment, in hours.
DEFAULT_ALLOTTED_HOURS = 24


def hours(seconds: int) -> int:
    return max(1, math.ceil(seconds / 3600))


class IdListField(serializers.ListField):
    child = serializers.IntegerField()


# Users and groups


class TurkleUserSerializer(serializers.ModelSerializer):
    groups = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "is_staff",
            "is_superuser",
            "date_joined",
            "groups",
        ]

    def get_groups(self, user) -> list[int]:
        return sorted(group.pk for group in user.groups.all())


class TurkleUserInputSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    # Not Turkle's: one's own password changes only with the current one (see accounts.policies).
    current_password = serializers.CharField(write_only=True, trim_whitespace=False, required=False)
    is_active = serializers.BooleanField(default=True)
    groups = serializers.PrimaryKeyRelatedField(many=True, queryset=Group.objects.all(), required=False)

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "password",
            "current_password",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
        ]


class TurkleGroupSerializer(serializers.ModelSerializer):
    users = serializers.SerializerMethodField()

    class Meta:
        model = Group
        fields = ["id", "name", "users"]

    def get_users(self, group) -> list[int]:
        return sorted(user.pk for user in group.user_set.all())


class TurkleGroupInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    users = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.all())


class TurkleGroupUsersInputSerializer(serializers.Serializer):
    users = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.all(), allow_empty=False)


# Permissions (who may work on a project or a batch)


class TurklePermissionsSerializer(serializers.Serializer):
    groups = IdListField()
    users = IdListField()


class TurklePermissionsInputSerializer(serializers.Serializer):
    users = IdListField()
    groups = IdListField()

    def validate_users(self, ids):
        found = set(User.objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [i for i in ids if i not in found]
        if missing:
            raise serializers.ValidationError(f"User with id {missing[0]} does not exist")
        return list(User.objects.filter(pk__in=ids))

    def validate_groups(self, ids):
        found = set(Group.objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [i for i in ids if i not in found]
        if missing:
            raise serializers.ValidationError(f"Group with id {missing[0]} does not exist")
        return list(Group.objects.filter(pk__in=ids))


def permissions_data(obj) -> dict:
    return {
        "groups": sorted(obj.worker_groups.values_list("pk", flat=True)),
        "users": sorted(obj.worker_users.values_list("pk", flat=True)),
    }


# Projects


class TurkleProjectSerializer(serializers.ModelSerializer):
    created_by = serializers.IntegerField(source="owner_id")
    updated_by = serializers.IntegerField(source="updated_by_id", allow_null=True)
    allotted_assignment_time = serializers.SerializerMethodField()
    assignments_per_task = serializers.IntegerField(source="default_results_per_task")
    custom_permissions = serializers.BooleanField(source="restricted")
    filename = serializers.CharField(source="template_filename")
    batches = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "created_at",
            "created_by",
            "updated_at",
            "updated_by",
            "active",
            "allotted_assignment_time",
            "assignments_per_task",
            "login_required",
            "custom_permissions",
            "filename",
            "html_template",
            "batches",
        ]

    def get_allotted_assignment_time(self, project) -> int:
        return hours(project.default_time_allowed_s)

    def get_batches(self, project) -> list[int]:
        return sorted(campaign.pk for campaign in project.campaigns.all())


class TurkleProjectInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    html_template = serializers.CharField(trim_whitespace=False)
    filename = FileNameField()
    active = serializers.BooleanField(required=False)
    allotted_assignment_time = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_TIME_ALLOWED_HOURS
    )
    assignments_per_task = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_RESULTS_PER_TASK
    )
    login_required = serializers.BooleanField(required=False)
    custom_permissions = serializers.BooleanField(required=False)

    def engine_values(self) -> dict:
        """The parsed payload in the engine's terms (``projects.services`` fields)."""
        data = dict(self.validated_data)
        renames = {
            "filename": "template_filename",
            "assignments_per_task": "default_results_per_task",
            "custom_permissions": "restricted",
        }
        values = {renames.get(k, k): v for k, v in data.items() if k != "allotted_assignment_time"}
        if "allotted_assignment_time" in data:
            values["default_time_allowed_s"] = data["allotted_assignment_time"] * 3600
        elif not self.partial and self.instance is None:
            values["default_time_allowed_s"] = DEFAULT_ALLOTTED_HOURS * 3600
        return values


# Batches


class TurkleBatchSerializer(serializers.ModelSerializer):
    created_by = serializers.IntegerField(source="created_by_id")
    project = serializers.IntegerField(source="project_id")
    allotted_assignment_time = serializers.SerializerMethodField()
    assignments_per_task = serializers.IntegerField(source="results_per_task")
    custom_permissions = serializers.BooleanField(source="restricted")
    active = serializers.SerializerMethodField()
    completed = serializers.SerializerMethodField()
    published = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "created_at",
            "created_by",
            "project",
            "filename",
            "allotted_assignment_time",
            "assignments_per_task",
            "login_required",
            "custom_permissions",
            "active",
            "completed",
            "published",
        ]

    def get_allotted_assignment_time(self, campaign) -> int:
        return hours(campaign.time_allowed_s)

    def get_active(self, campaign) -> bool:
        return campaign.state == CampaignState.ACTIVE

    def get_completed(self, campaign) -> bool:
        return bool(getattr(campaign, "completed", False))

    def get_published(self, campaign) -> bool:
        return campaign.state != CampaignState.UNPUBLISHED


class TurkleBatchInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    filename = FileNameField()
    csv_text = serializers.CharField(trim_whitespace=False, write_only=True)
    active = serializers.BooleanField(required=False, default=True)
    allotted_assignment_time = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_TIME_ALLOWED_HOURS
    )
    assignments_per_task = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_RESULTS_PER_TASK
    )
    login_required = serializers.BooleanField(required=False)
    custom_permissions = serializers.BooleanField(required=False)

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects

    def engine_values(self) -> dict:
        """The parsed payload in the engine's terms (``tasks.ingest.campaign_create_with_csv``)."""
        data = self.validated_data
        values = {
            "project": data["project"],
            "name": data["name"],
            "filename": data["filename"],
            "active": data["active"],
        }
        if "allotted_assignment_time" in data:
            values["time_allowed_s"] = data["allotted_assignment_time"] * 3600
        if "assignments_per_task" in data:
            values["results_per_task"] = data["assignments_per_task"]
        if "login_required" in data:
            values["login_required"] = data["login_required"]
        if "custom_permissions" in data:
            values["restricted"] = data["custom_permissions"]
        return values


BATCH_WRITABLE = {name for name, field in TurkleBatchInputSerializer().fields.items() if not field.read_only}


class TurkleBatchPatchSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    active = serializers.BooleanField(required=False)
    allotted_assignment_time = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_TIME_ALLOWED_HOURS
    )

    def validate(self, attrs):
        # As in Turkle, what a client may not write at all (id, completed, created_at, which Turkle's own
        # client sends back) is left out; a field written on create but not on patch is refused.
        illegal = sorted((set(self.initial_data) & BATCH_WRITABLE) - BATCH_PATCHABLE)
        if illegal:
            raise serializers.ValidationError({key: ["Cannot update through patch"] for key in illegal})
        return attrs


class TurkleCsvTextSerializer(serializers.Serializer):
    csv_text = serializers.CharField(trim_whitespace=False)


class TurkleNewTasksSerializer(serializers.Serializer):
    new_tasks = serializers.IntegerField()


class TurkleProgressSerializer(serializers.Serializer):
    total_tasks = serializers.IntegerField()
    total_task_assignments = serializers.IntegerField()
    total_finished_tasks = serializers.IntegerField()
    total_finished_task_assignments = serializers.IntegerField()
