"""Screens and jobs in the native API: CRUD, copy, archive, a job's screens, and the Markdown preview."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsRequester
from crowdplatform.api.viewsets import SelectorViewSet
from crowdplatform.errors import ValidationFailed
from projects import screens as services
from projects import selectors
from projects.markdown import render_markdown
from projects.models import Job, Screen

from .screen_serializers import (
    JobInputSerializer,
    JobOutputSerializer,
    MarkdownInputSerializer,
    MarkdownOutputSerializer,
    ScreenIdsInputSerializer,
    ScreenInputSerializer,
    ScreenOutputSerializer,
)

DEEP = OpenApiParameter(
    "deep", OpenApiTypes.BOOL, description="Include what it holds (a job's screens, a campaign's jobs)."
)
_conflict = OpenApiResponse(description="Read-only (in a published campaign) or in use.")


def deep_flag(request) -> bool:
    value = str(request.query_params.get("deep", "false")).strip().lower()
    if value not in {"true", "false", "1", "0", "yes", "no"}:
        raise ValidationFailed("deep must be true or false.", code="invalid-type", field="deep")
    return value in {"true", "1", "yes"}


def id_list(request, name: str):
    """A list of ids sent as ``{"<name>": [...]}`` or as the bare list (as Swarms clients send it)."""
    return request.data if isinstance(request.data, list) else (request.data or {}).get(name)


@extend_schema(tags=["screens"])
class ScreenViewSet(SelectorViewSet):
    """Screens of components, the requester's own. See docs/components.md for the component format."""

    permission_classes = [IsRequester]
    schema_model = Screen

    def selector_queryset(self):
        return selectors.screen_list(user=self.request.user)

    def _render(self, pk, status_code=status.HTTP_200_OK):
        screen = selectors.screen_get(user=self.request.user, pk=pk)
        return Response(ScreenOutputSerializer(screen).data, status=status_code)

    @extend_schema(responses=ScreenOutputSerializer(many=True))
    def list(self, request):
        return self.paginated(self.get_queryset(), ScreenOutputSerializer)

    @extend_schema(request=ScreenInputSerializer, responses={201: ScreenOutputSerializer})
    def create(self, request):
        data = ScreenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        screen = services.screen_create(owner=request.user, **data.validated_data)
        return self._render(screen.pk, status.HTTP_201_CREATED)

    @extend_schema(responses=ScreenOutputSerializer)
    def retrieve(self, request, pk=None):
        return self._render(pk)

    @extend_schema(
        request=ScreenInputSerializer(partial=True), responses={200: ScreenOutputSerializer, 409: _conflict}
    )
    def partial_update(self, request, pk=None):
        screen = selectors.screen_get(user=request.user, pk=pk)
        data = ScreenInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.screen_update(screen=screen, **data.validated_data)
        return self._render(pk)

    @extend_schema(request=ScreenInputSerializer, responses={200: ScreenOutputSerializer, 409: _conflict})
    def update(self, request, pk=None):
        screen = selectors.screen_get(user=request.user, pk=pk)
        data = ScreenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.screen_update(screen=screen, **{"components": [], "properties": {}, **data.validated_data})
        return self._render(pk)

    @extend_schema(responses={204: None, 409: _conflict})
    def destroy(self, request, pk=None):
        services.screen_delete(screen=selectors.screen_get(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={201: ScreenOutputSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        """A new screen with the same components."""
        copy = services.screen_copy(screen=selectors.screen_get(user=request.user, pk=pk), owner=request.user)
        return self._render(copy.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ScreenOutputSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        services.screen_set_archived(screen=selectors.screen_get(user=request.user, pk=pk), archived=True)
        return self._render(pk)

    @extend_schema(request=None, responses=ScreenOutputSerializer)
    @action(detail=True, methods=["post"])
    def unarchive(self, request, pk=None):
        services.screen_set_archived(screen=selectors.screen_get(user=request.user, pk=pk), archived=False)
        return self._render(pk)


@extend_schema(tags=["jobs"])
class JobViewSet(SelectorViewSet):
    """Jobs (ordered lists of screens), the requester's own."""

    permission_classes = [IsRequester]
    schema_model = Job

    def selector_queryset(self):
        return selectors.job_list(user=self.request.user)

    def _render(self, pk, status_code=status.HTTP_200_OK):
        return Response(
            JobOutputSerializer(selectors.job_get(user=self.request.user, pk=pk)).data, status=status_code
        )

    @extend_schema(responses=JobOutputSerializer(many=True))
    def list(self, request):
        return self.paginated(self.get_queryset(), JobOutputSerializer)

    @extend_schema(request=JobInputSerializer, responses={201: JobOutputSerializer})
    def create(self, request):
        data = JobInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.job_create(owner=request.user, **data.validated_data)
        return self._render(job.pk, status.HTTP_201_CREATED)

    @extend_schema(responses=JobOutputSerializer)
    def retrieve(self, request, pk=None):
        return self._render(pk)

    @extend_schema(
        request=JobInputSerializer(partial=True), responses={200: JobOutputSerializer, 409: _conflict}
    )
    def partial_update(self, request, pk=None):
        job = selectors.job_get(user=request.user, pk=pk)
        data = JobInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.job_update(job=job, **data.validated_data)
        return self._render(pk)

    @extend_schema(responses={204: None, 409: _conflict})
    def destroy(self, request, pk=None):
        services.job_delete(job=selectors.job_get(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, parameters=[DEEP], responses={201: JobOutputSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        """A new job with the same screens; with ``deep=true`` the screens are copied too."""
        job = selectors.job_get(user=request.user, pk=pk)
        copy = services.job_copy(job=job, deep=deep_flag(request), owner=request.user)
        return self._render(copy.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, parameters=[DEEP], responses=JobOutputSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Archive the job; with ``deep=true`` its screens too."""
        job = selectors.job_get(user=request.user, pk=pk)
        services.job_set_archived(job=job, archived=True, deep=deep_flag(request))
        return self._render(pk)

    @extend_schema(request=None, responses=JobOutputSerializer)
    @action(detail=True, methods=["post"])
    def unarchive(self, request, pk=None):
        """Unarchive the job and its screens."""
        services.job_set_archived(job=selectors.job_get(user=request.user, pk=pk), archived=False)
        return self._render(pk)

    @extend_schema(methods=["get"], request=None, responses=ScreenOutputSerializer(many=True))
    @extend_schema(
        methods=["put"], request=ScreenIdsInputSerializer, responses={200: ScreenOutputSerializer(many=True)}
    )
    @action(detail=True, methods=["get", "put"])
    def screens(self, request, pk=None):
        """The job's screens in order; PUT a list of screen ids to set them."""
        job = selectors.job_get(user=request.user, pk=pk)
        if request.method == "PUT":
            services.job_update(job=job, screens=id_list(request, "screens"))
        screens = selectors.job_screens(job_id=job.pk)
        annotated = selectors.screen_list(user=request.user).in_bulk([s.pk for s in screens])
        return Response(ScreenOutputSerializer([annotated[s.pk] for s in screens], many=True).data)


@extend_schema(tags=["screens"])
class MarkdownPreviewView(APIView):
    """Review feedback in Markdown as the worker will see it (images, audio, video, YouTube links)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=MarkdownInputSerializer, responses=MarkdownOutputSerializer)
    def post(self, request):
        data = MarkdownInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"html": render_markdown(data.validated_data["text"])})
