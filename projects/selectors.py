from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from accounts.models import PermissionName
from accounts.selectors import scoped_ids
from crowdplatform.errors import NotFound

from .models import Project


def project_list(*, user: User, permission: str = PermissionName.PROJECTS_READ) -> QuerySet[Project]:
    """Projects the user owns or holds ``permission`` on (globally or scoped to the project)."""
    qs = Project.objects.select_related("owner", "updated_by")
    if user.is_staff:
        return qs
    is_global, project_ids = scoped_ids(user, [permission], "project")
    if is_global:
        return qs
    return qs.filter(Q(owner=user) | Q(pk__in=project_ids))


def project_get(*, user: User, pk: int, permission: str = PermissionName.PROJECTS_READ) -> Project:
    project = project_list(user=user, permission=permission).filter(pk=pk).first()
    if project is None:
        raise NotFound("No such project.", code="project-not-found")
    return project
