from django.contrib.auth.models import Group, User
from django.db import transaction

from crowdplatform.errors import ValidationFailed
from crowdplatform.jsonvalues import holds_nul

from .models import Project
from .templating import template_fields

EDITABLE_FIELDS = {
    "name",
    "description",
    "priority",
    "task_class",
    "data",
    "html_template",
    "template_filename",
    "external_url",
    "default_results_per_task",
    "default_time_allowed_s",
    "login_required",
    "restricted",
    "active",
    "archived",
}


def _validate(values: dict) -> None:
    if "name" in values and not str(values["name"]).strip():
        raise ValidationFailed("A project needs a name.", code="required", field="name")
    if values.get("task_class", Project.TaskClass.REAL) not in Project.TaskClass.values:
        raise ValidationFailed(
            "task_class must be 'real' or 'training'.", code="invalid-choice", field="task_class"
        )
    if "data" in values and not isinstance(values["data"], dict):
        raise ValidationFailed("data must be a JSON object.", code="invalid-type", field="data")
    if holds_nul(values.get("data")):
        raise ValidationFailed("data holds a NUL character.", code="nul-character", field="data")
    for field in ("default_results_per_task",):
        if field in values and (not isinstance(values[field], int) or values[field] < 1):
            raise ValidationFailed(
                f"{field} must be a whole number of at least 1.", code="invalid", field=field
            )


@transaction.atomic
def project_create(*, owner: User, name: str, **values) -> Project:
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            f"Unknown field {sorted(unknown)[0]}.", code="unknown-field", field=sorted(unknown)[0]
        )
    values["name"] = name
    _validate(values)
    project = Project(owner=owner, updated_by=owner, **values)
    project.template_fields = template_fields(project.html_template)
    project.save()
    return project


@transaction.atomic
def project_update(*, project: Project, by: User, **values) -> Project:
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            f"Unknown field {sorted(unknown)[0]}.", code="unknown-field", field=sorted(unknown)[0]
        )
    _validate(values)
    for key, value in values.items():
        setattr(project, key, value)
    project.template_fields = template_fields(project.html_template)
    project.updated_by = by
    project.save()
    return project


@transaction.atomic
def project_workers_set(
    *, project: Project, users: list[User], groups: list[Group], by: User, replace: bool = False
) -> Project:
    """Grant the listed users and groups work on the project, which becomes restricted to its lists."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if replace:
        project.worker_users.set(users)
        project.worker_groups.set(groups)
    else:
        project.worker_users.add(*users)
        project.worker_groups.add(*groups)
    project.restricted = True
    project.updated_by = by
    project.save(update_fields=["restricted", "updated_by", "updated_at"])
    return project
