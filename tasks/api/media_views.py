"""Uploaded media in the native API: requesters' component media, workers' recordings and drawings."""

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsRequester
from tasks import media as services
from tasks.jobs import assignment_job_screens


class MediaUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The picture, sound or film; checked by its contents.")


class MediaOutputSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Where the file is served; put it in a component or a result.")
    key = serializers.CharField()
    kind = serializers.ChoiceField(choices=["image", "audio", "video"])
    content_type = serializers.CharField(help_text="As found in the file's bytes.")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


def media_out(media) -> dict:
    return {
        "url": services.media_url(media),
        "key": media.key,
        "kind": media.kind,
        "content_type": media.content_type,
        "size": media.size,
        "sha256": media.sha256,
    }


def _refuse_oversize_early(request) -> None:
    # A body far over the limit is refused from its declared length, before it is read.
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > settings.CROWD_MEDIA_MAX_BYTES + 64 * 1024:
        raise services.FileTooLarge(
            f"The file is larger than {settings.CROWD_MEDIA_MAX_BYTES} bytes.",
            field="file",
            extra={"max_bytes": settings.CROWD_MEDIA_MAX_BYTES},
        )


REFUSED = {
    400: OpenApiResponse(description="Not an allowed type (unsupported-media-type)."),
    413: OpenApiResponse(description="Too large (file-too-large)."),
}


class MediaUploadBase(APIView):
    """An upload of one file as multipart ``file``, a body far over the size limit refused before it is read;
    answered with ``media_out``."""

    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _refuse_oversize_early(request)


@extend_schema(tags=["media"])
class MediaUploadView(MediaUploadBase):
    """Upload a file for components (images, audio, video); the answer's ``url`` goes into the screen."""

    permission_classes = [IsRequester]

    @extend_schema(
        request={"multipart/form-data": MediaUploadInputSerializer},
        responses={201: MediaOutputSerializer, **REFUSED},
    )
    def post(self, request):
        media = services.media_upload(owner=request.user, upload=request.FILES.get("file"))
        return Response(media_out(media), status=status.HTTP_201_CREATED)


@extend_schema(tags=["media"])
class MediaFileView(APIView):
    """The file itself, for those who may see it (anyone else: 404)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY), 404: None}
    )
    def get(self, request, key: str):
        media = services.media_get_for_user(user=request.user, key=key)
        response = FileResponse(services.media_open(media=media), content_type=media.content_type)
        response["Content-Length"] = str(media.size)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, max-age=3600"
        return response


class WorkScreenOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    components = serializers.JSONField(help_text="The screen's components in order (docs/components.md).")


class WorkJobOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    screens = WorkScreenOutputSerializer(many=True, help_text="In the order they are done.")


@extend_schema(tags=["work"])
class WorkJobScreensView(APIView):
    """The job of your assignment with its screens, to show them screen by screen."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: WorkJobOutputSerializer, 404: None})
    def get(self, request, assignment_id: int):
        job, screens = assignment_job_screens(worker=request.user, assignment_id=assignment_id)
        data = {
            "id": job.pk,
            "name": job.name,
            "description": job.description,
            "screens": [{"id": s.pk, "name": s.name, "components": s.components} for s in screens],
        }
        return Response(WorkJobOutputSerializer(data).data)
