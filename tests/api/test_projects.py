import pytest

from accounts.models import PermissionGrant, PermissionName
from projects.models import Project
from tests.api.envelope import body, error
from tests.conftest import token_client
from tests.factories import ProjectFactory, RequesterFactory

pytestmark = pytest.mark.django_db


def test_a_requester_creates_a_project_and_its_template_fields_are_kept(requester, requester_client):
    response = requester_client.post(
        "/api/v1/projects/",
        {"name": "Sentiment", "html_template": "<p>${text}</p><p>${lang}</p>", "default_results_per_task": 3},
        format="json",
    )
    assert response.status_code == 201
    project = body(response)
    assert (project["name"], project["owner"], project["template_fields"]) == (
        "Sentiment",
        requester.username,
        ["text", "lang"],
    )
    assert project["default_results_per_task"] == 3
    assert Project.objects.get(pk=project["id"]).owner == requester


def test_creating_a_project_needs_projects_create(requester):
    # given a user who can read one project (so is a requester) but not create projects
    reader = RequesterFactory()
    PermissionGrant.objects.filter(user=reader).update(name=PermissionName.PROJECTS_READ)
    response = token_client(reader).post("/api/v1/projects/", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert error(response)["code"] == "permission-denied"
    assert not Project.objects.filter(name="X").exists()


def test_a_project_with_a_bad_field_type_is_refused(requester_client):
    response = requester_client.post(
        "/api/v1/projects/", {"name": "P", "data": [1, 2], "default_results_per_task": 0}, format="json"
    )
    assert response.status_code == 400
    fields = sorted(item["field"] for item in response.json()["errors"])
    assert fields == ["data", "default_results_per_task"]
    assert Project.objects.count() == 0


def test_list_shows_only_own_projects_and_filters_booleans_in_any_case(requester, requester_client):
    mine = ProjectFactory(owner=requester)
    ProjectFactory(owner=requester, active=False)
    ProjectFactory()
    data = body(requester_client.get("/api/v1/projects?active=TRUE"))
    assert [p["id"] for p in data["results"]] == [mine.pk]
    assert set(data) == {"count", "next", "previous", "results"}


def test_patch_changes_the_template_and_refreshes_its_fields(project, requester_client):
    response = requester_client.patch(
        f"/api/v1/projects/{project.pk}/", {"html_template": "${a} ${b}"}, format="json"
    )
    assert response.status_code == 200
    assert body(response)["template_fields"] == ["a", "b"]


def test_a_reader_without_manage_gets_403_on_patch(project):
    reader = RequesterFactory()
    PermissionGrant.objects.create(
        user=reader, name=PermissionName.PROJECTS_READ, scope="project", scope_id=project.pk
    )
    client = token_client(reader)
    assert client.get(f"/api/v1/projects/{project.pk}/").status_code == 200
    response = client.patch(f"/api/v1/projects/{project.pk}/", {"name": "Hijacked"}, format="json")
    assert response.status_code == 403
    assert error(response)["code"] == "permission-denied"
    project.refresh_from_db()
    assert project.name != "Hijacked"


def test_a_scoped_manager_may_patch(project):
    manager = RequesterFactory()
    for name in (PermissionName.PROJECTS_READ, PermissionName.PROJECTS_MANAGE):
        PermissionGrant.objects.create(user=manager, name=name, scope="project", scope_id=project.pk)
    response = token_client(manager).patch(f"/api/v1/projects/{project.pk}", {"priority": 5}, format="json")
    assert response.status_code == 200
    assert body(response)["priority"] == 5


def test_project_data_or_a_name_holding_a_nul_character_is_a_400_and_changes_nothing(
    project, requester_client
):
    # when the free data, then the name, of a project would hold a NUL character
    data = requester_client.patch(f"/api/v1/projects/{project.pk}/", {"data": {"k": "a\x00b"}}, format="json")
    name = requester_client.patch(f"/api/v1/projects/{project.pk}/", {"name": "a\x00b"}, format="json")
    # then both are refused naming the field, and the project is as it was
    assert (data.status_code, error(data)["code"], error(data)["field"]) == (400, "nul-character", "data")
    assert (name.status_code, error(name)["field"]) == (400, "name")
    stored = Project.objects.get(pk=project.pk)
    assert (stored.data, stored.name) == (project.data, project.name)
