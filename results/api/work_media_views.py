"""A worker's recordings and drawings, uploaded for their own open assignment (native API)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from results.media import assignment_media_upload
from tasks.api.media_views import (
    REFUSED,
    MediaOutputSerializer,
    MediaUploadInputSerializer,
    media_out,
    refuse_oversize_early,
)


@extend_schema(tags=["work"])
class WorkMediaUploadView(APIView):
    """Upload a recording or drawing for your open assignment; put the answer's ``url`` in the result."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_oversize_early(request)

    @extend_schema(
        request={"multipart/form-data": MediaUploadInputSerializer},
        responses={201: MediaOutputSerializer, **REFUSED, 409: OpenApiResponse(description="Not open.")},
    )
    def post(self, request, assignment_id: int):
        media = assignment_media_upload(
            assignment_id=assignment_id, worker=request.user, upload=request.FILES.get("file")
        )
        return Response(media_out(media), status=status.HTTP_201_CREATED)
