from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.models import PermissionName
from accounts.permissions import IsRequester
from accounts.selectors import user_has_permission
from crowdplatform.api.viewsets import SelectorViewSet
from crowdplatform.errors import Forbidden
from projects import selectors, services
from projects.models import Project

from .access import project_get_for_change
from .filters import ProjectFilter
from .serializers import ProjectInputSerializer, ProjectOutputSerializer


@extend_schema(tags=["projects"])
class ProjectViewSet(SelectorViewSet):
    permission_classes = [IsRequester]
    schema_model = Project
    filterset_class = ProjectFilter

    def selector_queryset(self):
        return selectors.project_list(user=self.request.user)

    @extend_schema(responses=ProjectOutputSerializer(many=True))
    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), ProjectOutputSerializer)

    @extend_schema(request=ProjectInputSerializer, responses={201: ProjectOutputSerializer})
    def create(self, request):
        if not user_has_permission(request.user, PermissionName.PROJECTS_CREATE):
            raise Forbidden(
                "Creating projects needs the projects.create permission.", code="permission-denied"
            )
        data = ProjectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(owner=request.user, **data.validated_data)
        return Response(ProjectOutputSerializer(project).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ProjectOutputSerializer)
    def retrieve(self, request, pk=None):
        return Response(ProjectOutputSerializer(selectors.project_get(user=request.user, pk=pk)).data)

    @extend_schema(request=ProjectInputSerializer(partial=True), responses=ProjectOutputSerializer)
    def partial_update(self, request, pk=None):
        project = project_get_for_change(user=request.user, pk=pk)
        data = ProjectInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        project = services.project_update(project=project, by=request.user, **data.validated_data)
        return Response(ProjectOutputSerializer(project).data)
