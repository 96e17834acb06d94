"""The report routes of seed 003 (OrderlyWeb), in the native envelope, at /api/v1/ and /api/v2/."""

from __future__ import annotations

import zipfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FileUploadParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdplatform.api.negotiation import LenientJsonNegotiation
from crowdplatform.api.parsers import JSONParser
from crowdplatform.api.renderers import EnvelopeRenderer
from crowdplatform.errors import NotFound, ValidationFailed

from .. import bundles, selectors, services
from ..access import READ, REVIEW, RUN
from ..models import FileRole
from ..rds import rds_file
from ..storage import open_stored
from ..zipstream import zip_chunks
from .serializers import (
    ChangelogSerializer,
    QueueStatusSerializer,
    ReportInputSerializer,
    ReportListItemSerializer,
    ReportOutputSerializer,
    RunInputSerializer,
    RunOutputSerializer,
    StatusSerializer,
    VersionDetailsSerializer,
    VersionListItemSerializer,
)

TRUE_FALSE = {"true": True, "false": False}
HASHES = inline_serializer("FileHashes", {"<name>": serializers.CharField(help_text="md5 of the file")})
FILE = {(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file")}


def _flag(request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.lower() not in TRUE_FALSE:
        raise ValidationFailed(f"{name} must be true or false.", code="invalid-boolean", field=name)
    return TRUE_FALSE[raw.lower()]


class ReportApiView(APIView):
    content_negotiation_class = LenientJsonNegotiation
    parser_classes = [JSONParser]


class _FileView(ReportApiView):
    """A download: errors still come as the JSON envelope, whatever the client accepts."""

    def perform_content_negotiation(self, request, force=False):
        return EnvelopeRenderer(), EnvelopeRenderer.media_type


def _download(stored_name: str, filename: str) -> FileResponse:
    return FileResponse(open_stored(stored_name), as_attachment=True, filename=filename)


@extend_schema(tags=["reports"])
class ReportListView(ReportApiView):
    @extend_schema(
        summary="Reports the caller may read",
        responses=ReportListItemSerializer(many=True),
    )
    def get(self, request):
        items = []
        for report in selectors.report_list(user=request.user):
            latest = selectors.latest_version(user=request.user, report=report)
            items.append(
                {
                    "name": report.name,
                    "display_name": report.display_name or None,
                    "latest_version": latest and latest.id,
                }
            )
        return Response(items)

    @extend_schema(
        summary="Define a report: a kind, a name and a scope (a campaign or a project)",
        request=ReportInputSerializer,
        responses={201: ReportOutputSerializer, 409: None},
    )
    def post(self, request):
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_create(user=request.user, **data.validated_data)
        return Response(ReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["reports"])
class ReportVersionIdsView(ReportApiView):
    @extend_schema(
        summary="Version ids of a report",
        responses={200: {"type": "array", "items": {"type": "string"}}},
    )
    def get(self, request, name):
        report = selectors.report_get(user=request.user, name=name, needs=READ)
        return Response(
            list(selectors.version_list(user=request.user, report=report).values_list("id", flat=True))
        )


@extend_schema(tags=["reports"])
class ReportRunView(ReportApiView):
    @extend_schema(
        summary="Queue a run",
        request=RunInputSerializer,
        parameters=[
            OpenApiParameter("timeout", int, description="Seconds the run may take (default 10800).")
        ],
        responses=RunOutputSerializer,
    )
    def post(self, request, name):
        report = selectors.report_get(user=request.user, name=name, needs=RUN)
        data = RunInputSerializer(data=request.data if request.data is not None else {})
        data.is_valid(raise_exception=True)
        raw_timeout = request.query_params.get("timeout")
        if raw_timeout is not None and not raw_timeout.isdigit():
            raise ValidationFailed(
                "timeout must be a whole number of seconds.", code="invalid-number", field="timeout"
            )
        run = services.report_run_queue(
            user=request.user,
            report=report,
            params=data.validated_data["params"],
            changelog=data.validated_data["changelog"],
            timeout=int(raw_timeout) if raw_timeout is not None else None,
        )
        mount = request.path[: request.path.index("/reports/")]
        return Response({"name": report.name, "key": run.key, "path": f"{mount}/reports/{run.key}/status/"})


def _queue_items():
    return [
        {"key": r.key, "status": r.status, "name": r.report.name, "version": r.version_id}
        for r in selectors.run_queue()
    ]


@extend_schema(tags=["reports"])
class RunStatusView(ReportApiView):
    @extend_schema(
        summary="Status of a run, with the queue",
        parameters=[OpenApiParameter("output", bool, description="Include the run's log lines.")],
        responses=StatusSerializer,
    )
    def get(self, request, key):
        run = selectors.run_get(user=request.user, key=key)
        return Response(
            {
                "key": run.key,
                "status": run.status,
                "version": run.version_id,
                "start_time": run.started_at,
                "output": selectors.run_output_lines(run) if _flag(request, "output", False) else None,
                "queue": _queue_items(),
            }
        )


@extend_schema(tags=["reports"])
class RunKillView(ReportApiView):
    @extend_schema(
        summary="Kill a queued or running run",
        responses={
            200: inline_serializer(
                "Killed", {"killed": serializers.BooleanField(), "status": serializers.CharField()}
            ),
            409: None,
        },
    )
    def delete(self, request, key):
        run = services.report_run_kill(run=selectors.run_get(user=request.user, key=key))
        return Response({"killed": True, "status": run.status})


@extend_schema(tags=["reports"])
class QueueStatusView(ReportApiView):
    @extend_schema(summary="The report queue", responses=QueueStatusSerializer)
    def get(self, request):
        return Response({"tasks": _queue_items()})


@extend_schema(tags=["reports"])
class VersionListView(ReportApiView):
    @extend_schema(
        summary="Every version the caller may see",
        responses=VersionListItemSerializer(many=True),
    )
    def get(self, request):
        versions = selectors.version_list(user=request.user).prefetch_related("files")
        return Response(VersionListItemSerializer(versions, many=True).data)


def _version(request, name, version_id):
    report = selectors.report_get(user=request.user, name=name, needs=READ)
    return report, selectors.version_get(user=request.user, report=report, version_id=version_id)


@extend_schema(tags=["reports"])
class VersionDetailView(ReportApiView):
    @extend_schema(
        summary="A version's details",
        responses=VersionDetailsSerializer,
    )
    def get(self, request, name, version):
        _, found = _version(request, name, version)
        return Response(VersionDetailsSerializer(found).data)


class _FileDictView(ReportApiView):
    role = ""

    def get(self, request, name, version):
        _, found = _version(request, name, version)
        return Response({f.name: f.md5 for f in found.files.filter(role=self.role)})


class _DownloadSchema(AutoSchema):
    """One file of a version: its own operation id beside the listing's (``…_retrieve_file``)."""

    def get_operation_id(self):
        return f"{super().get_operation_id()}_file"


class _FileDownloadView(_FileView):
    role = ""
    schema = _DownloadSchema()

    def get(self, request, name, version, filename):
        _, found = _version(request, name, version)
        item = found.files.filter(role=self.role, name=filename).first()
        if item is None:
            raise NotFound(f"Unknown {self.role} {filename!r}.", code="file-not-found")
        return _download(item.file.name, filename.rsplit("/", 1)[-1])


@extend_schema(
    tags=["reports"],
    summary="Artefact names → md5",
    responses=HASHES,
)
class ArtefactListView(_FileDictView):
    role = FileRole.ARTEFACT


@extend_schema(tags=["reports"], summary="Download an artefact", responses=FILE)
class ArtefactDownloadView(_FileDownloadView):
    role = FileRole.ARTEFACT


@extend_schema(
    tags=["reports"],
    summary="Resource names → md5",
    responses=HASHES,
)
class ResourceListView(_FileDictView):
    role = FileRole.RESOURCE


@extend_schema(tags=["reports"], summary="Download a resource", responses=FILE)
class ResourceDownloadView(_FileDownloadView):
    role = FileRole.RESOURCE


@extend_schema(
    tags=["reports"],
    summary="Data names → md5 (of the CSV)",
    responses=HASHES,
)
class DataListView(_FileDictView):
    role = FileRole.DATA


@extend_schema(tags=["reports"])
class DataDownloadView(_FileView):
    schema = _DownloadSchema()

    @extend_schema(
        summary="Download a data set as CSV or RDS",
        parameters=[OpenApiParameter("type", str, enum=["csv", "rds"], description="csv (default) or rds")],
        responses=FILE,
    )
    def get(self, request, name, version, data):
        _, found = _version(request, name, version)
        kind = request.query_params.get("type", "csv").lower()
        if kind not in ("csv", "rds"):
            raise ValidationFailed("type must be csv or rds.", code="invalid-choice", field="type")
        item = found.files.filter(role=FileRole.DATA, name=data).first()
        if item is None:
            raise NotFound(f"Unknown data {data!r}.", code="file-not-found")
        if kind == "rds":
            item = rds_file(item)
        return _download(item.file.name, f"{data}.{kind}")


def _zip_name(item) -> str:
    """artefact/<name>, resource/<name>, data/<name>.csv and data/<name>.rds."""
    if item.role == FileRole.DATA:
        return f"data/{item.name}.csv"
    if item.role == FileRole.DATA_RDS:
        return f"data/{item.name}.rds"
    return f"{item.role}/{item.name}"


@extend_schema(tags=["reports"])
class VersionZipView(_FileView):
    @extend_schema(
        summary="Every file of a version as a zip (data only for reviewers)",
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request, name, version):
        report, found = _version(request, name, version)
        roles = [FileRole.ARTEFACT, FileRole.RESOURCE]
        if selectors.may_review(user=request.user, report=report):
            roles += [FileRole.DATA, FileRole.DATA_RDS]
        members = [(_zip_name(f), f.file.name) for f in found.files.filter(role__in=roles)]
        response = StreamingHttpResponse(zip_chunks(members, open_stored), content_type="application/zip")
        response["Content-Disposition"] = content_disposition_header(True, f"{report.name}-{found.id}.zip")
        return response


def _changelog(request, report, version):
    entries = version.changelog.all() if version is not None else []
    if not selectors.may_review(user=request.user, report=report):
        entries = [e for e in entries if e.label == "public"]
    return ChangelogSerializer(entries, many=True).data


@extend_schema(tags=["reports"])
class ChangelogView(ReportApiView):
    @extend_schema(
        summary="A version's changelog",
        responses=ChangelogSerializer(many=True),
    )
    def get(self, request, name, version):
        report, found = _version(request, name, version)
        return Response(_changelog(request, report, found))


@extend_schema(tags=["reports"])
class LatestChangelogView(ReportApiView):
    @extend_schema(
        summary="The changelog of the latest version the caller may see",
        responses=ChangelogSerializer(many=True),
    )
    def get(self, request, name):
        report = selectors.report_get(user=request.user, name=name, needs=READ)
        return Response(
            _changelog(request, report, selectors.latest_version(user=request.user, report=report))
        )


@extend_schema(tags=["reports"])
class PublishView(ReportApiView):
    @extend_schema(
        summary="Publish (or with ?value=false unpublish) a version",
        request=None,
        parameters=[OpenApiParameter("value", bool)],
        responses=OpenApiTypes.BOOL,
    )
    def post(self, request, name, version):
        report = selectors.report_get(user=request.user, name=name, needs=REVIEW)
        found = selectors.version_get(user=request.user, report=report, version_id=version)
        return Response(services.version_publish(version=found, value=_flag(request, "value", True)))


@extend_schema(tags=["reports"])
class BundlePackView(_FileView):
    @extend_schema(
        summary="A zip of the report's definition, parameters and input data, to run elsewhere",
        request=RunInputSerializer,
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def post(self, request, name):
        report = selectors.report_get(user=request.user, name=name, needs=RUN)
        data = RunInputSerializer(data=request.data if request.data is not None else {})
        data.is_valid(raise_exception=True)
        path = bundles.bundle_pack(report=report, params=data.validated_data["params"])
        response = FileResponse(path.open("rb"), as_attachment=True, filename=f"{report.name}-bundle.zip")
        path.unlink()  # the open handle keeps the bytes until the response is sent
        return response


@extend_schema(tags=["reports"])
class BundleImportView(ReportApiView):
    parser_classes = [MultiPartParser, FileUploadParser]

    @extend_schema(
        summary="Import a completed bundle as a new version",
        request={
            "multipart/form-data": inline_serializer("BundleUpload", {"file": serializers.FileField()}),
            "application/zip": OpenApiTypes.BINARY,
        },
        responses={201: VersionDetailsSerializer},
    )
    def post(self, request):
        upload = request.data.get("file") if hasattr(request.data, "get") else None
        if upload is None:
            raise ValidationFailed(
                "Send the bundle as a zip file (multipart field 'file').", code="bundle-missing", field="file"
            )
        try:
            archive = zipfile.ZipFile(upload)
        except zipfile.BadZipFile as bad:
            raise ValidationFailed(
                "The bundle is not a zip file.", code="bundle-invalid", field="file"
            ) from bad
        with archive:
            version = bundles.bundle_import(user=request.user, archive=archive)
        return Response(VersionDetailsSerializer(version).data, status=status.HTTP_201_CREATED)
