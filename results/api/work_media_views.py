"""A worker's recordings and drawings, uploaded for their own open assignment (native API)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from results.media import assignment_media_upload
from tasks.api.media_views import (
    REFUSED,
    MediaOutputSerializer,
    MediaUploadBase,
    MediaUploadInputSerializer,
    media_out,
)


@extend_schema(tags=["work"])
class WorkMediaUploadView(MediaUploadBase):
    """Upload a recording or drawing for your open assignment; put the answer's ``url`` in the result."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request={"multipart/form-data": MediaUploadInputSerializer},
        responses={201: MediaOutputSerializer, **REFUSED, 409: OpenApiResponse(description="Not open.")},
    )
    def post(self, request, assignment_id: int):
        media = assignment_media_upload(
            assignment_id=assignment_id, worker=request.user, upload=request.FILES.get("file")
        )
        return Response(media_out(media), status=status.HTTP_201_CREATED)
