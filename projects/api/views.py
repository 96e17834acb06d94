from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from accounts.models import PermissionName
from accounts.permissions import IsRequester
from accounts.selectors import user_has_permission
from crowdplatform.api.pagination import NativePagination
from crowdplatform.errors import Forbidden
from projects import selectors, services

from .serializers import ProjectInputSerializer, ProjectOutputSerializer


@extend_schema(tags=["projects"])
class ProjectViewSet(viewsets.ViewSet):
    permission_classes = [IsRequester]

    @extend_schema(responses=ProjectOutputSerializer(many=True))
    def list(self, request):
        paginator = NativePagination()
        page = paginator.paginate_queryset(selectors.project_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(ProjectOutputSerializer(page, many=True).data)

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
        project = selectors.project_get(user=request.user, pk=pk, permission=PermissionName.PROJECTS_MANAGE)
        data = ProjectInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        project = services.project_update(project=project, by=request.user, **data.validated_data)
        return Response(ProjectOutputSerializer(project).data)
