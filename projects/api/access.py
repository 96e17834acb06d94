"""Which project a request may change: unreadable is a 404, readable but not manageable a 403."""

from django.contrib.auth.models import User

from accounts.models import PermissionName
from crowdplatform.errors import Forbidden
from projects.models import Project
from projects.selectors import project_get, project_list


def project_get_for_change(
    *, user: User, pk: int, permission: str = PermissionName.PROJECTS_MANAGE
) -> Project:
    project = project_list(user=user, permission=permission).filter(pk=pk).first()
    if project is not None:
        return project
    project_get(user=user, pk=pk)  # 404 when the user may not even read it
    raise Forbidden(f"This needs the {permission} permission on the project.", code="permission-denied")
