from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import ChangelogEntry, Report, ReportScope, ReportVersion, VersionFile


class ReportListItemSerializer(serializers.Serializer):
    name = serializers.CharField()
    display_name = serializers.CharField(allow_null=True)
    latest_version = serializers.CharField(allow_null=True)


class ReportInputSerializer(serializers.Serializer):
    name = serializers.SlugField(max_length=100)
    kind = serializers.CharField(
        max_length=40, help_text="results, aggregate, agreement, workers or progress."
    )
    scope = serializers.ChoiceField(choices=ReportScope.choices)
    scope_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    display_name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    parameters = serializers.DictField(required=False, default=dict, help_text="Default parameter values.")


class ReportOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = [
            "name",
            "display_name",
            "description",
            "kind",
            "scope",
            "scope_id",
            "parameters",
            "created_at",
        ]


class RunInputSerializer(serializers.Serializer):
    params = serializers.DictField(required=False, default=dict)
    changelog = serializers.JSONField(
        required=False, default=None, help_text='`{"message": "…", "type": "public"|"internal"}`'
    )
    instances = serializers.DictField(required=False, help_text="Accepted for OrderlyWeb clients; ignored.")
    gitBranch = serializers.CharField(required=False, help_text="Accepted for OrderlyWeb clients; ignored.")
    gitCommit = serializers.CharField(required=False, help_text="Accepted for OrderlyWeb clients; ignored.")


class RunOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    key = serializers.CharField()
    path = serializers.CharField()


class QueueItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    status = serializers.CharField()
    name = serializers.CharField(source="report.name")
    version = serializers.CharField(source="version_id", allow_null=True)


class StatusSerializer(serializers.Serializer):
    key = serializers.CharField()
    status = serializers.CharField()
    version = serializers.CharField(allow_null=True)
    start_time = serializers.DateTimeField(allow_null=True)
    output = serializers.ListField(child=serializers.CharField(allow_blank=True), allow_null=True)
    queue = QueueItemSerializer(many=True)


class QueueStatusSerializer(serializers.Serializer):
    tasks = QueueItemSerializer(many=True)


class FileEntrySerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()


class ArtefactSerializer(serializers.Serializer):
    format = serializers.CharField()
    description = serializers.CharField()
    files = FileEntrySerializer(many=True)


class VersionDetailsSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="report.name")
    artefacts = serializers.SerializerMethodField()
    resources = serializers.SerializerMethodField()
    data_info = serializers.SerializerMethodField()

    class Meta:
        model = ReportVersion
        fields = [
            "id",
            "name",
            "display_name",
            "description",
            "artefacts",
            "resources",
            "date",
            "data_info",
            "parameter_values",
            "requester",
            "author",
            "published",
        ]

    def _files(self, version, role) -> list[VersionFile]:
        return [f for f in version.files.all() if f.role == role]

    @extend_schema_field(ArtefactSerializer(many=True))
    def get_artefacts(self, version) -> list:
        groups: dict[tuple, list] = {}
        for item in self._files(version, "artefact"):
            groups.setdefault((item.format, item.description), []).append(
                {"name": item.name, "size": item.size}
            )
        return [{"format": f, "description": d, "files": files} for (f, d), files in groups.items()]

    @extend_schema_field(FileEntrySerializer(many=True))
    def get_resources(self, version) -> list:
        return [{"name": f.name, "size": f.size} for f in self._files(version, "resource")]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "csv_size": {"type": "integer"},
                "rds_size": {"type": "integer", "nullable": True},
            },
        }
    )
    def get_data_info(self, version) -> dict:
        """``{name, csv_size, rds_size}``; rds_size is null until the RDS copy has been asked for once."""
        if not version.data_info:
            return {}
        rds = [f for f in self._files(version, "data-rds") if f.name == version.data_info.get("name")]
        return {**version.data_info, "rds_size": rds[0].size if rds else None}


class VersionListItemSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="report.name")
    resources = serializers.SerializerMethodField()

    class Meta:
        model = ReportVersion
        fields = ["id", "name", "display_name", "date", "published", "requester", "author", "resources"]

    def get_resources(self, version) -> list[str]:
        return [f.name for f in version.files.all() if f.role == "resource"]


class ChangelogSerializer(serializers.ModelSerializer):
    report_version = serializers.CharField(source="version_id")

    class Meta:
        model = ChangelogEntry
        fields = ["label", "value", "from_file", "report_version"]
