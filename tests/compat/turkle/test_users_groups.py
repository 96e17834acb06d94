from unittest.mock import ANY

import pytest
from django.contrib.auth.models import Group, User

from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

FORBIDDEN = {"detail": "You do not have permission to perform this action."}


def user_body(user, **changes):
    body = {
        "id": user.pk,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "date_joined": ANY,
        "groups": sorted(g.pk for g in user.groups.all()),
    }
    return {**body, **changes}


# Users


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/api/users/"),
        ("post", "/api/users/"),
        ("get", "/api/users/1/"),
        ("patch", "/api/users/1/"),
        ("put", "/api/users/1/"),
        ("get", "/api/users/username/someone/"),
        ("get", "/api/groups/"),
        ("post", "/api/groups/"),
        ("get", "/api/groups/1/"),
        ("get", "/api/groups/name/somegroup/"),
        ("post", "/api/groups/1/users/"),
    ],
)
def test_user_and_group_admin_needs_staff(owner_client, method, url):
    # given a requester who is not staff
    users_before = User.objects.count()

    # when
    response = getattr(owner_client, method)(
        url, {"username": "x", "password": "p", "name": "g", "users": []}, format="json"
    )

    # then
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert User.objects.count() == users_before
    assert not Group.objects.exists()


def test_staff_lists_users_in_pages(staff_client, staff):
    # given
    UserFactory.create_batch(100)

    # when
    first = staff_client.get("/api/users/")
    second = staff_client.get("/api/users/?page=2")
    beyond = staff_client.get("/api/users/?page=3")

    # then
    assert first.status_code == 200
    assert first.json()["count"] == 101
    assert first.json()["next"] == "http://testserver/api/users/?page=2"
    assert first.json()["previous"] is None
    assert len(first.json()["results"]) == 100
    assert first.json()["results"][0] == user_body(staff)
    assert second.json()["next"] is None
    assert second.json()["previous"] == "http://testserver/api/users/"
    assert len(second.json()["results"]) == 1
    assert beyond.status_code == 404
    assert beyond.json() == {"detail": "Invalid page."}


def test_staff_creates_a_user_who_can_log_in(staff_client):
    # given
    group = GroupFactory()
    payload = {
        "username": "jsmith",
        "first_name": "John",
        "last_name": "Smith",
        "email": "jsmith@example.org",
        "password": "p@ssw0rd",
        "groups": [group.pk],
    }

    # when
    response = staff_client.post("/api/users/", payload, format="json")

    # then
    user = User.objects.get(username="jsmith")
    assert response.status_code == 201
    assert response.json() == {
        "id": user.pk,
        "username": "jsmith",
        "first_name": "John",
        "last_name": "Smith",
        "email": "jsmith@example.org",
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
        "date_joined": ANY,
        "groups": [group.pk],
    }
    assert user.check_password("p@ssw0rd")


def test_creating_a_user_needs_username_and_password(staff_client):
    # given
    users_before = User.objects.count()

    # when
    response = staff_client.post("/api/users/", {"first_name": "John"}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }
    assert User.objects.count() == users_before


def test_duplicate_username_is_refused(staff_client, staff):
    # when
    response = staff_client.post("/api/users/", {"username": staff.username, "password": "x"}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {"username": ["A user with that username already exists."]}


def test_staff_who_is_not_superuser_cannot_make_a_superuser(staff_client):
    # when
    response = staff_client.post(
        "/api/users/", {"username": "root2", "password": "x", "is_superuser": True}, format="json"
    )

    # then
    assert response.status_code == 403
    assert response.json() == {"detail": "Only a superuser may set is_superuser."}
    assert not User.objects.filter(username="root2").exists()


def test_staff_who_is_not_superuser_cannot_change_a_superuser(staff_client):
    # given
    root = UserFactory(is_staff=True, is_superuser=True)

    # when
    response = staff_client.patch(f"/api/users/{root.pk}/", {"password": "taken-over"}, format="json")

    # then
    assert response.status_code == 403
    assert response.json() == {"detail": "Only a superuser may change a staff or superuser account."}
    root.refresh_from_db()
    assert root.check_password("correct-horse")


def test_retrieve_user_by_id_and_by_username(staff_client, owner):
    # when
    by_id = staff_client.get(f"/api/users/{owner.pk}/")
    by_name = staff_client.get(f"/api/users/username/{owner.username}/")

    # then
    assert by_id.status_code == 200
    assert by_id.json() == user_body(owner)
    assert by_name.status_code == 200
    assert by_name.json() == user_body(owner)


def test_unknown_user_is_404_naming_the_model(staff_client):
    # when
    by_id = staff_client.get("/api/users/999999/")
    by_name = staff_client.get("/api/users/username/nobody/")

    # then
    assert by_id.status_code == 404
    assert by_id.json() == {"detail": "No User matches the given query."}
    assert by_name.status_code == 404
    assert by_name.json() == {"detail": "No User matches the given query."}


def test_patch_updates_only_the_given_fields(staff_client, owner):
    # when
    response = staff_client.patch(f"/api/users/{owner.pk}/", {"first_name": "Ada"}, format="json")

    # then
    owner.refresh_from_db()
    assert response.status_code == 200
    assert response.json() == user_body(owner, first_name="Ada")
    assert owner.first_name == "Ada"
    assert owner.check_password("correct-horse")


def test_put_needs_the_required_fields_and_sets_the_password(staff_client, owner):
    # when
    incomplete = staff_client.put(f"/api/users/{owner.pk}/", {"first_name": "Ada"}, format="json")
    complete = staff_client.put(
        f"/api/users/{owner.pk}/",
        {"username": owner.username, "password": "new-secret", "email": "ada@example.org"},
        format="json",
    )

    # then
    owner.refresh_from_db()
    assert incomplete.status_code == 400
    assert incomplete.json() == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }
    assert complete.status_code == 200
    assert complete.json()["email"] == "ada@example.org"
    assert owner.check_password("new-secret")


# Groups


def test_staff_creates_a_group_with_users(staff_client):
    # given
    users = UserFactory.create_batch(2)

    # when
    response = staff_client.post(
        "/api/groups/", {"name": "Spanish", "users": [u.pk for u in users]}, format="json"
    )

    # then
    group = Group.objects.get(name="Spanish")
    assert response.status_code == 201
    assert response.json() == {"id": group.pk, "name": "Spanish", "users": sorted(u.pk for u in users)}
    assert sorted(group.user_set.values_list("pk", flat=True)) == sorted(u.pk for u in users)


def test_creating_a_group_needs_name_and_users(staff_client):
    # when
    response = staff_client.post("/api/groups/", {}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {"name": ["This field is required."], "users": ["This field is required."]}
    assert not Group.objects.exists()


def test_list_retrieve_and_name_lookup_of_groups(staff_client):
    # given
    spanish = GroupFactory(name="Spanish")
    member = UserFactory()
    member.groups.add(spanish)
    GroupFactory(name="French")

    # when
    listing = staff_client.get("/api/groups/")
    detail = staff_client.get(f"/api/groups/{spanish.pk}/")
    by_name = staff_client.get("/api/groups/name/Spanish/")

    # then
    spanish_body = {"id": spanish.pk, "name": "Spanish", "users": [member.pk]}
    assert listing.status_code == 200
    assert listing.json()["count"] == 2
    assert listing.json()["results"][0] == spanish_body
    assert detail.json() == spanish_body
    assert by_name.status_code == 200
    assert by_name.json() == {"count": 1, "next": None, "previous": None, "results": [spanish_body]}


def test_staff_lists_groups_a_hundred_per_page(staff_client):
    # given
    groups = GroupFactory.create_batch(101)

    # when
    first = staff_client.get("/api/groups/")
    second = staff_client.get("/api/groups/?page=2")
    beyond = staff_client.get("/api/groups/?page=3")
    not_a_number = staff_client.get("/api/groups/?page=last-but-one")

    # then
    assert first.status_code == 200
    assert (first.json()["count"], first.json()["previous"]) == (101, None)
    assert first.json()["next"] == "http://testserver/api/groups/?page=2"
    assert [g["id"] for g in first.json()["results"]] == [g.pk for g in groups[:100]]
    assert second.status_code == 200
    assert (second.json()["next"], second.json()["previous"]) == (None, "http://testserver/api/groups/")
    assert second.json()["results"] == [{"id": groups[100].pk, "name": groups[100].name, "users": []}]
    assert (beyond.status_code, beyond.json()) == (404, {"detail": "Invalid page."})
    assert (not_a_number.status_code, not_a_number.json()) == (404, {"detail": "Invalid page."})


def test_unknown_group_is_404(staff_client):
    # when
    by_id = staff_client.get("/api/groups/999/")
    by_name = staff_client.get("/api/groups/name/Nobody/")

    # then
    assert by_id.status_code == 404
    assert by_id.json() == {"detail": "No Group matches the given query."}
    assert by_name.status_code == 404
    assert by_name.json() == {"detail": "No Group matches the given query."}


def test_adding_users_to_a_group_keeps_its_members(staff_client):
    # given
    group = GroupFactory(name="Spanish")
    old, new = UserFactory(), UserFactory()
    old.groups.add(group)

    # when
    response = staff_client.post(f"/api/groups/{group.pk}/users/", {"users": [new.pk]}, format="json")

    # then
    assert response.status_code == 200
    assert response.json() == {"id": group.pk, "name": "Spanish", "users": sorted([old.pk, new.pk])}


@pytest.mark.parametrize(
    "payload, errors",
    [
        ({}, {"users": ["This field is required."]}),
        ({"users": []}, {"users": ["This list may not be empty."]}),
        ({"users": [999999]}, {"users": ['Invalid pk "999999" - object does not exist.']}),
    ],
)
def test_adding_users_refuses_a_bad_list(staff_client, payload, errors):
    # given
    group = GroupFactory()

    # when
    response = staff_client.post(f"/api/groups/{group.pk}/users/", payload, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert not group.user_set.exists()


@pytest.mark.parametrize(
    "url", ["/api/users/abc/", "/api/groups/x1/", "/api/projects/1e3/", "/api/batches/one/"]
)
def test_an_id_that_is_not_a_number_is_a_json_404(staff_client, url):
    # when an object is asked for by something that is not an id
    response = staff_client.get(url)
    # then it is Turkle's 404 body, naming the model
    model = {"users": "User", "groups": "Group", "projects": "Project", "batches": "Batch"}[url.split("/")[2]]
    assert response.status_code == 404
    assert response.json() == {"detail": f"No {model} matches the given query."}


def test_a_group_name_already_taken_is_a_400_on_its_name(staff_client):
    # given a group
    assert (
        staff_client.post("/api/groups/", {"name": "Spanish", "users": []}, format="json").status_code == 201
    )
    # when another is created with the same name
    response = staff_client.post("/api/groups/", {"name": "Spanish", "users": []}, format="json")
    # then it is refused as Django's unique name makes Turkle refuse it
    assert response.status_code == 400
    assert response.json() == {"name": ["group with this name already exists."]}


@pytest.mark.parametrize(
    "url", ["/api/users/", "/api/groups/", "/api/projects/", "/api/batches/", "/api/users/1/"]
)
def test_options_answers_every_route(staff_client, url):
    # when a client asks what a route offers
    response = staff_client.options(url)
    # then it is told, not given a server error
    assert response.status_code == 200
    assert {"name", "renders", "parses"} <= set(response.json())
