import pytest
from django.contrib.auth.models import Group, User

from accounts.models import PermissionGrant
from accounts.selectors import user_has_permission
from tests.api.envelope import body, error
from tests.factories import CampaignFactory, GroupFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_non_staff_user_sees_only_their_own_account(worker, worker_client):
    UserFactory()
    data = body(worker_client.get("/api/v1/users/"))
    assert [u["username"] for u in data["results"]] == [worker.username]
    assert "password" not in data["results"][0]


def test_another_users_account_is_a_404_for_non_staff(worker_client):
    other = UserFactory(first_name="Ann")
    assert worker_client.get(f"/api/v1/users/{other.pk}/").status_code == 404
    assert (
        worker_client.patch(f"/api/v1/users/{other.pk}/", {"first_name": "X"}, format="json").status_code
        == 404
    )
    other.refresh_from_db()
    assert other.first_name == "Ann"


def test_a_user_changes_their_name_but_not_their_staff_flag(worker, worker_client):
    response = worker_client.patch(f"/api/v1/users/{worker.pk}", {"first_name": "Wendy"}, format="json")
    assert response.status_code == 200
    assert body(response)["first_name"] == "Wendy"
    response = worker_client.patch(f"/api/v1/users/{worker.pk}", {"is_staff": True}, format="json")
    assert response.status_code == 403
    assert error(response) == {
        "code": "superuser-only",
        "message": "Only a superuser may change is_staff.",
        "field": "is_staff",
    }
    worker.refresh_from_db()
    assert worker.is_staff is False


def test_only_staff_create_users(worker_client, staff_client):
    payload = {"username": "newbie", "password": "long-enough-pw", "email": "n@example.org"}
    response = worker_client.post("/api/v1/users/", payload, format="json")
    assert response.status_code == 403
    assert not User.objects.filter(username="newbie").exists()
    response = staff_client.post("/api/v1/users/", payload, format="json")
    assert response.status_code == 201
    created = body(response)
    assert (created["username"], created["is_staff"], created["groups"]) == ("newbie", False, [])
    assert User.objects.get(username="newbie").check_password("long-enough-pw")


def test_a_duplicate_username_is_a_400_naming_the_field(staff_client, worker):
    response = staff_client.post("/api/v1/users/", {"username": worker.username}, format="json")
    assert response.status_code == 400
    assert error(response)["field"] == "username"


def test_users_list_filters_booleans_in_any_case(staff_client, staff):
    UserFactory(is_active=False)
    data = body(staff_client.get("/api/v1/users/?is_staff=TRUE"))
    assert [u["id"] for u in data["results"]] == [staff.pk]
    response = staff_client.get("/api/v1/users/?is_staff=maybe")
    assert response.status_code == 400
    assert error(response)["code"] == "invalid-boolean"


def test_staff_manage_groups_and_members_see_theirs(worker, worker_client, staff_client):
    response = staff_client.post(
        "/api/v1/groups/", {"name": "annotators", "users": [worker.pk]}, format="json"
    )
    assert response.status_code == 201
    group = body(response)
    assert (group["name"], group["users"]) == ("annotators", [worker.pk])
    GroupFactory()
    assert [g["name"] for g in body(worker_client.get("/api/v1/groups/"))["results"]] == ["annotators"]
    response = worker_client.post("/api/v1/groups/", {"name": "mine"}, format="json")
    assert response.status_code == 403
    assert not Group.objects.filter(name="mine").exists()
    response = staff_client.patch(f"/api/v1/groups/{group['id']}/", {"users": []}, format="json")
    assert body(response)["users"] == []


def test_a_duplicate_group_name_is_a_409(staff_client):
    GroupFactory(name="taken")
    response = staff_client.post("/api/v1/groups/", {"name": "taken"}, format="json")
    assert response.status_code == 409
    assert error(response)["code"] == "duplicate-name"
    assert Group.objects.filter(name="taken").count() == 1


def test_staff_grant_and_revoke_scoped_permissions(staff_client):
    # given a user and a project
    user = UserFactory()
    project = ProjectFactory()
    # when staff grant projects.read on that project
    response = staff_client.post(
        "/api/v1/permissions/",
        {"name": "projects.read", "scope": f"project:{project.pk}", "user": user.pk},
        format="json",
    )
    # then it is listed in seed 003 notation and takes effect at that scope only
    assert response.status_code == 201
    grant = body(response)
    assert grant["permission"] == f"project:{project.pk}/projects.read"
    assert (grant["scope"], grant["user"], grant["group"]) == (f"project:{project.pk}", user.username, None)
    assert user_has_permission(user, "projects.read", scope="project", scope_id=project.pk)
    assert not user_has_permission(user, "projects.read")
    listed = body(staff_client.get(f"/api/v1/permissions/?user={user.pk}"))
    assert [g["permission"] for g in listed["results"]] == [grant["permission"]]
    # and revoking removes it
    assert staff_client.delete(f"/api/v1/permissions/{grant['id']}/").status_code == 200
    assert not PermissionGrant.objects.filter(user=user).exists()


def test_a_group_can_hold_a_campaign_scoped_grant(staff_client):
    group = GroupFactory()
    campaign = CampaignFactory()
    response = staff_client.post(
        "/api/v1/permissions/",
        {"name": "results.review", "scope": f"campaign:{campaign.pk}", "group": group.pk},
        format="json",
    )
    assert response.status_code == 201
    assert body(response)["permission"] == f"campaign:{campaign.pk}/results.review"


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"name": "projects.read", "scope": "project:999999"}, "invalid-scope", "scope"),
        ({"name": "projects.read", "scope": "team:1"}, "invalid-scope", "scope"),
        ({"name": "projects.fly", "scope": "*"}, "invalid-choice", "name"),
    ],
)
def test_bad_grants_are_refused_and_nothing_is_written(staff_client, payload, code, field):
    user = UserFactory()
    response = staff_client.post("/api/v1/permissions/", {**payload, "user": user.pk}, format="json")
    assert response.status_code == 400
    item = error(response)
    assert (item["code"], item["field"]) == (code, field)
    assert not PermissionGrant.objects.filter(user=user).exists()


def test_a_grant_needs_exactly_one_holder(staff_client):
    response = staff_client.post("/api/v1/permissions/", {"name": "projects.read"}, format="json")
    assert response.status_code == 400
    assert error(response)["code"] == "one-holder-required"


def test_permissions_are_staff_only(requester_client):
    response = requester_client.get("/api/v1/permissions/")
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"
