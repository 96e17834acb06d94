"""Turkle's REST API (seed 001) over the engine: projects are Projects, batches are Campaigns.

Wire format only: parse, call one selector or service, render in Turkle's shapes.
"""

import io

from django.contrib.auth.models import Group, User
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import APIRootView
from rest_framework.views import APIView

from accounts import lockout
from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import PermissionName
from accounts.selectors import user_has_permission
from campaigns import selectors as campaign_selectors
from campaigns import services as campaign_services
from campaigns.models import Campaign
from crowdplatform.api.parsers import JSONParser
from crowdplatform.errors import ApplicationError, NotFound, ValidationFailed
from crowdplatform.streaming import streaming_attachment
from projects import selectors as project_selectors
from projects import services as project_services
from projects.models import Project
from tasks.ingest import campaign_create_with_csv, tasks_ingest_csv
from tasks.staging import tasks_ensure_written

from . import exports
from .authentication import TurkleTokenAuthentication
from .errors import turkle_exception_handler
from .pagination import TurklePagination, TurkleProjectPagination
from .serializers import (
    TurkleBatchInputSerializer,
    TurkleBatchPatchSerializer,
    TurkleBatchSerializer,
    TurkleCsvTextSerializer,
    TurkleGroupInputSerializer,
    TurkleGroupSerializer,
    TurkleGroupUsersInputSerializer,
    TurkleNewTasksSerializer,
    TurklePermissionsInputSerializer,
    TurklePermissionsSerializer,
    TurkleProgressSerializer,
    TurkleProjectInputSerializer,
    TurkleProjectSerializer,
    TurkleUserInputSerializer,
    TurkleUserSerializer,
    permissions_data,
)

CSV_RESPONSE = {(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="A CSV attachment.")}


def _found(model_name: str, getter, **kwargs):
    """The selector's object, or Turkle's 404 body naming its model."""
    try:
        return getter(**kwargs)
    except NotFound as exc:
        raise Http404(f"No {model_name} matches the given query.") from exc


def _csv_errors(call, **kwargs):
    """Run an ingest; a CSV problem is a field error on ``csv_text``, as Turkle reports it."""
    try:
        return call(**kwargs)
    except ValidationFailed as exc:
        if exc.code.startswith("csv-") or exc.line is not None:
            raise ValidationError({"csv_text": [exc.message]}) from exc
        raise


class TurkleViewSet(viewsets.GenericViewSet):
    authentication_classes = [TurkleTokenAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    pagination_class = TurklePagination
    # What the 404 for an id that names nothing calls the object.
    turkle_model = ""

    def get_exception_handler(self):
        return turkle_exception_handler

    def page(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)


@extend_schema(exclude=True)
class TurkleUnknownView(APIView):
    """Any other URL under /api/ is Turkle's JSON 404, whatever the method, not Django's HTML page.

    A read of a route without its trailing slash is still redirected to it, as Django's ``APPEND_SLASH``
    did before this view caught every URL.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        return turkle_exception_handler

    def _is_route(self, path_info: str) -> bool:
        try:
            return getattr(resolve(path_info).func, "view_class", None) is not TurkleUnknownView
        except Resolver404:
            return False

    def unknown(self, request, *args, **kwargs):
        path_info = request.path_info
        if (
            request.method in ("GET", "HEAD")
            and not path_info.endswith("/")
            and self._is_route(f"{path_info}/")
        ):
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
        # /api/<collection>/<not an id>/...: Turkle's own 404 for an object that is not there.
        parts = path_info.split("/")
        model = TURKLE_MODELS.get(parts[2]) if len(parts) > 4 else None
        raise Http404(f"No {model} matches the given query." if model else "Not found.")

    get = head = post = put = patch = delete = options = unknown


class TurkleRootView(APIRootView):
    """Every collection of the API and its schema, with absolute URLs (a token is needed, as in Turkle)."""

    authentication_classes = [TurkleTokenAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        return turkle_exception_handler

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["schema"] = reverse("turkle-schema", request=request)
        return response


@extend_schema(tags=["users"])
class TurkleUserViewSet(TurkleViewSet):
    """User administration; unlike Turkle, it needs staff."""

    turkle_model = "User"
    queryset = User.objects.none()

    permission_classes = [IsAdminUser]

    def _user(self, pk):
        return _found("User", account_selectors.user_get, user=self.request.user, pk=pk)

    @extend_schema(responses=TurkleUserSerializer(many=True))
    def list(self, request):
        return self.page(account_selectors.user_list(user=request.user), TurkleUserSerializer)

    @extend_schema(request=TurkleUserInputSerializer, responses={201: TurkleUserSerializer})
    def create(self, request):
        data = TurkleUserInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("current_password", None)
        user = account_services.user_create(by=request.user, **values)
        return Response(TurkleUserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=TurkleUserSerializer)
    def retrieve(self, request, pk=None):
        return Response(TurkleUserSerializer(self._user(pk)).data)

    def _save(self, request, pk, partial):
        user = self._user(pk)
        data = TurkleUserInputSerializer(
            user, data=request.data, partial=partial, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        with lockout.own_password_change_attempt(request=request, user=user, changes=data.validated_data):
            user = account_services.user_update(by=request.user, user=user, **data.validated_data)
        return Response(TurkleUserSerializer(self._user(user.pk)).data)

    @extend_schema(request=TurkleUserInputSerializer, responses=TurkleUserSerializer)
    def update(self, request, pk=None):
        return self._save(request, pk, partial=False)

    @extend_schema(request=TurkleUserInputSerializer(partial=True), responses=TurkleUserSerializer)
    def partial_update(self, request, pk=None):
        return self._save(request, pk, partial=True)

    @extend_schema(responses=TurkleUserSerializer)
    @action(detail=False, url_path="username/<name:username>", url_name="username")
    def retrieve_by_username(self, request, username=None):
        user = account_selectors.user_list(user=request.user).filter(username=username).first()
        if user is None:
            raise Http404("No User matches the given query.")
        return Response(TurkleUserSerializer(user).data)


@extend_schema(tags=["groups"])
class TurkleGroupViewSet(TurkleViewSet):
    """Group administration; unlike Turkle, it needs staff."""

    turkle_model = "Group"
    queryset = Group.objects.none()

    permission_classes = [IsAdminUser]

    def _group(self, pk):
        return _found("Group", account_selectors.group_get, user=self.request.user, pk=pk)

    @extend_schema(responses=TurkleGroupSerializer(many=True))
    def list(self, request):
        return self.page(account_selectors.group_list(user=request.user), TurkleGroupSerializer)

    @extend_schema(request=TurkleGroupInputSerializer, responses={201: TurkleGroupSerializer})
    def create(self, request):
        data = TurkleGroupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            group = account_services.group_create(by=request.user, **data.validated_data)
        except ApplicationError as exc:
            if exc.code != "duplicate-name":
                raise
            # Django's unique group name, as Turkle's serializer reports it.
            raise ValidationError({"name": ["group with this name already exists."]}) from exc
        return Response(TurkleGroupSerializer(self._group(group.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=TurkleGroupSerializer)
    def retrieve(self, request, pk=None):
        return Response(TurkleGroupSerializer(self._group(pk)).data)

    @extend_schema(responses=TurkleGroupSerializer(many=True))
    @action(detail=False, url_path="name/<name:name>", url_name="name")
    def retrieve_by_name(self, request, name=None):
        """Groups with exactly this name, as a page (Turkle does not require names to be unique)."""
        groups = account_selectors.group_list(user=request.user).filter(name=name)
        if not groups.exists():
            raise Http404("No Group matches the given query.")
        return self.page(groups, TurkleGroupSerializer)

    @extend_schema(request=TurkleGroupUsersInputSerializer, responses=TurkleGroupSerializer)
    @action(detail=True, methods=["post"], url_path="users", url_name="users")
    def add_users(self, request, pk=None):
        group = self._group(pk)
        data = TurkleGroupUsersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        users = {*group.user_set.all(), *data.validated_data["users"]}
        account_services.group_update(by=request.user, group=group, users=sorted(users, key=lambda u: u.pk))
        return Response(TurkleGroupSerializer(self._group(pk)).data)


class _PermissionsMixin:
    """``GET`` the users and groups who may work; ``POST`` adds to them, ``PUT`` replaces them."""

    def permissions_response(self, request, obj, setter, **setter_kwargs):
        if request.method == "GET":
            return Response(permissions_data(obj))
        data = TurklePermissionsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        replace = request.method == "PUT"
        obj = setter(**setter_kwargs, **data.validated_data, replace=replace)
        return Response(
            permissions_data(obj), status=status.HTTP_200_OK if replace else status.HTTP_201_CREATED
        )


@extend_schema(tags=["projects"])
class TurkleProjectViewSet(_PermissionsMixin, TurkleViewSet):
    """Turkle projects: the caller's own projects and those shared with them."""

    turkle_model = "Project"
    queryset = Project.objects.none()
    pagination_class = TurkleProjectPagination

    def _projects(self):
        return (
            project_selectors.project_list(user=self.request.user)
            .prefetch_related(Prefetch("campaigns", queryset=Campaign.objects.only("pk", "project_id")))
            .order_by("id")
        )

    def _project(self, pk, permission=PermissionName.PROJECTS_READ):
        project = _found("Project", project_selectors.project_get, user=self.request.user, pk=pk)
        if permission != PermissionName.PROJECTS_READ and not user_has_permission(
            self.request.user, permission, scope="project", scope_id=project.pk
        ):
            if project.owner_id != self.request.user.pk:
                raise PermissionDenied()
        return project

    def _out(self, pk):
        return TurkleProjectSerializer(self._projects().get(pk=pk)).data

    @extend_schema(responses=TurkleProjectSerializer(many=True))
    def list(self, request):
        return self.page(self._projects(), TurkleProjectSerializer)

    @extend_schema(request=TurkleProjectInputSerializer, responses={201: TurkleProjectSerializer})
    def create(self, request):
        if not user_has_permission(request.user, PermissionName.PROJECTS_CREATE):
            raise PermissionDenied()
        data = TurkleProjectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = project_services.project_create(owner=request.user, **data.engine_values())
        return Response(self._out(project.pk), status=status.HTTP_201_CREATED)

    @extend_schema(responses=TurkleProjectSerializer)
    def retrieve(self, request, pk=None):
        self._project(pk)
        return Response(self._out(pk))

    def _save(self, request, pk, partial):
        project = self._project(pk, PermissionName.PROJECTS_MANAGE)
        data = TurkleProjectInputSerializer(project, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        project_services.project_update(project=project, by=request.user, **data.engine_values())
        return Response(self._out(project.pk))

    @extend_schema(request=TurkleProjectInputSerializer, responses=TurkleProjectSerializer)
    def update(self, request, pk=None):
        return self._save(request, pk, partial=False)

    @extend_schema(request=TurkleProjectInputSerializer(partial=True), responses=TurkleProjectSerializer)
    def partial_update(self, request, pk=None):
        return self._save(request, pk, partial=True)

    @extend_schema(responses=TurkleBatchSerializer(many=True))
    @action(detail=True, url_path="batches", url_name="batches")
    def batches(self, request, pk=None):
        project = self._project(pk)
        campaigns = campaign_selectors.campaign_list_for_requester(user=request.user).filter(project=project)
        return self.page(
            campaign_selectors.campaigns_with_completed(campaigns).order_by("id"), TurkleBatchSerializer
        )

    @extend_schema(methods=["GET"], responses=TurklePermissionsSerializer)
    @extend_schema(
        methods=["POST"],
        request=TurklePermissionsInputSerializer,
        responses={201: TurklePermissionsSerializer},
    )
    @extend_schema(
        methods=["PUT"], request=TurklePermissionsInputSerializer, responses=TurklePermissionsSerializer
    )
    @action(detail=True, methods=["get", "post", "put"], url_path="permissions", url_name="permissions")
    def permissions(self, request, pk=None):
        if request.method == "GET":
            return self.permissions_response(request, self._project(pk), None)
        project = self._project(pk, PermissionName.PROJECTS_MANAGE)
        return self.permissions_response(
            request, project, project_services.project_workers_set, project=project, by=request.user
        )


@extend_schema(tags=["batches"])
class TurkleBatchViewSet(_PermissionsMixin, TurkleViewSet):
    """Turkle batches (campaigns) of the caller's projects."""

    turkle_model = "Batch"
    queryset = Campaign.objects.none()

    def _batches(self):
        return campaign_selectors.campaigns_with_completed(
            campaign_selectors.campaign_list_for_requester(user=self.request.user)
        ).order_by("id")

    def _batch(self, pk, permission=PermissionName.PROJECTS_READ):
        """The batch if the caller may see it (else 404) and act on it with ``permission`` (else 403)."""
        batch = self._batches().filter(pk=pk).first()
        if batch is None:
            raise Http404("No Batch matches the given query.")
        if permission != PermissionName.PROJECTS_READ:
            allowed = campaign_selectors.campaign_list_for_requester(
                user=self.request.user, permission=permission
            ).filter(pk=pk)
            if not allowed.exists():
                raise PermissionDenied()
        return batch

    def _out(self, pk):
        return TurkleBatchSerializer(self._batches().get(pk=pk)).data

    @extend_schema(responses=TurkleBatchSerializer(many=True))
    def list(self, request):
        return self.page(self._batches(), TurkleBatchSerializer)

    @extend_schema(request=TurkleBatchInputSerializer, responses={201: TurkleBatchSerializer})
    def create(self, request):
        projects = project_selectors.project_list(
            user=request.user, permission=PermissionName.CAMPAIGNS_MANAGE
        )
        data = TurkleBatchInputSerializer(data=request.data, projects=projects)
        data.is_valid(raise_exception=True)
        values = data.engine_values()
        campaign, _ = _csv_errors(
            campaign_create_with_csv,
            created_by=request.user,
            stream=io.StringIO(data.validated_data["csv_text"], newline=""),
            **values,
        )
        return Response(self._out(campaign.pk), status=status.HTTP_201_CREATED)

    @extend_schema(responses=TurkleBatchSerializer)
    def retrieve(self, request, pk=None):
        return Response(TurkleBatchSerializer(self._batch(pk)).data)

    @extend_schema(request=TurkleBatchPatchSerializer, responses=TurkleBatchSerializer)
    def partial_update(self, request, pk=None):
        batch = self._batch(pk, PermissionName.CAMPAIGNS_MANAGE)
        data = TurkleBatchPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "allotted_assignment_time" in changes:
            changes["time_allowed_s"] = changes.pop("allotted_assignment_time") * 3600
        campaign_services.campaign_change(campaign=batch, **changes)
        return Response(self._out(batch.pk))

    @extend_schema(request=TurkleCsvTextSerializer, responses={201: TurkleNewTasksSerializer})
    @action(detail=True, methods=["post"], url_path="tasks", url_name="tasks")
    def add_tasks(self, request, pk=None):
        batch = self._batch(pk, PermissionName.CAMPAIGNS_MANAGE)
        data = TurkleCsvTextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = _csv_errors(
            tasks_ingest_csv,
            campaign=batch,
            stream=io.StringIO(data.validated_data["csv_text"], newline=""),
            created_by=request.user,
            filename=batch.filename,
        )
        return Response({"new_tasks": job.rows}, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CSV_RESPONSE)
    @action(detail=True, url_path="input", url_name="download-input")
    def download_input(self, request, pk=None):
        batch = self._batch(pk)
        return streaming_attachment(
            exports.input_csv_lines(batch), filename=batch.filename or "input.csv", content_type="text/csv"
        )

    @extend_schema(responses=CSV_RESPONSE)
    @action(detail=True, url_path="results", url_name="download-results")
    def download_results(self, request, pk=None):
        batch = self._batch(pk, PermissionName.RESULTS_READ)
        filename = exports.results_filename(
            project_id=batch.project_id, batch_id=batch.pk, filename=batch.filename
        )
        return streaming_attachment(
            exports.results_csv_lines(batch), filename=filename, content_type="text/csv"
        )

    @extend_schema(responses=TurkleProgressSerializer)
    @action(detail=True, url_path="progress", url_name="progress")
    def progress(self, request, pk=None):
        batch = self._batch(pk)
        tasks_ensure_written(campaign=batch)
        return Response(campaign_selectors.campaign_progress(campaign=batch))

    @extend_schema(methods=["GET"], responses=TurklePermissionsSerializer)
    @extend_schema(
        methods=["POST"],
        request=TurklePermissionsInputSerializer,
        responses={201: TurklePermissionsSerializer},
    )
    @extend_schema(
        methods=["PUT"], request=TurklePermissionsInputSerializer, responses=TurklePermissionsSerializer
    )
    @action(detail=True, methods=["get", "post", "put"], url_path="permissions", url_name="permissions")
    def permissions(self, request, pk=None):
        if request.method == "GET":
            return self.permissions_response(request, self._batch(pk), None)
        batch = self._batch(pk, PermissionName.CAMPAIGNS_MANAGE)
        return self.permissions_response(
            request, batch, campaign_services.campaign_workers_set, campaign=batch
        )


# The collections under /api/ and what their 404 calls an object.
TURKLE_MODELS = {
    "users": TurkleUserViewSet.turkle_model,
    "groups": TurkleGroupViewSet.turkle_model,
    "projects": TurkleProjectViewSet.turkle_model,
    "batches": TurkleBatchViewSet.turkle_model,
}
