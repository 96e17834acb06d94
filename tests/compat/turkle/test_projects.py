from unittest.mock import ANY

import pytest

from projects.models import Project
from projects.services import project_create
from tests.factories import CampaignFactory, GroupFactory, UserFactory

from .conftest import example, turkle_client

pytestmark = pytest.mark.django_db


def project_body(project, **changes):
    body = {
        "id": project.pk,
        "name": project.name,
        "created_at": ANY,
        "created_by": project.owner_id,
        "updated_at": ANY,
        "updated_by": project.updated_by_id,
        "active": project.active,
        "allotted_assignment_time": project.default_time_allowed_s // 3600,
        "assignments_per_task": project.default_results_per_task,
        "login_required": project.login_required,
        "custom_permissions": project.restricted,
        "filename": project.template_filename,
        "html_template": project.html_template,
        "batches": sorted(project.campaigns.values_list("pk", flat=True)),
    }
    return {**body, **changes}


def test_requester_creates_a_project(owner_client, owner):
    # given
    payload = {
        "name": "Image Contains",
        "html_template": example("image_contains.html"),
        "filename": "image_contains.html",
    }

    # when
    response = owner_client.post("/api/projects/", payload, format="json")

    # then
    project = Project.objects.get()
    assert response.status_code == 201
    assert response.json() == {
        "id": project.pk,
        "name": "Image Contains",
        "created_at": ANY,
        "created_by": owner.pk,
        "updated_at": ANY,
        "updated_by": owner.pk,
        "active": True,
        "allotted_assignment_time": 24,
        "assignments_per_task": 1,
        "login_required": True,
        "custom_permissions": False,
        "filename": "image_contains.html",
        "html_template": example("image_contains.html"),
        "batches": [],
    }
    assert project.template_fields == ["object", "image_url"]
    assert project.default_time_allowed_s == 24 * 3600


def test_optional_project_fields_map_onto_the_engine(owner_client):
    # when
    response = owner_client.post(
        "/api/projects/",
        {
            "name": "Translate",
            "html_template": example("translate.html"),
            "filename": "translate.html",
            "active": False,
            "allotted_assignment_time": 2,
            "assignments_per_task": 3,
            "login_required": False,
            "custom_permissions": True,
        },
        format="json",
    )

    # then
    project = Project.objects.get()
    assert response.status_code == 201
    assert (project.active, project.default_time_allowed_s, project.default_results_per_task) == (
        False,
        7200,
        3,
    )
    assert (project.login_required, project.restricted) == (False, True)
    assert response.json() == project_body(project)


def test_creating_a_project_needs_the_create_permission(db):
    # given a user without projects.create
    client = turkle_client(UserFactory())

    # when
    response = client.post(
        "/api/projects/", {"name": "x", "html_template": "<p>x</p>", "filename": "x.html"}, format="json"
    )

    # then
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert not Project.objects.exists()


def test_creating_a_project_needs_name_template_and_filename(owner_client):
    # when
    response = owner_client.post("/api/projects/", {"active": True}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {
        "name": ["This field is required."],
        "html_template": ["This field is required."],
        "filename": ["This field is required."],
    }
    assert not Project.objects.exists()


def test_requester_lists_only_their_projects_twenty_per_page(owner, owner_client, other_client):
    # given
    for index in range(21):
        project_create(owner=owner, name=f"P{index}", html_template="<p>${a}</p>")

    # when
    first = owner_client.get("/api/projects/")
    second = owner_client.get("/api/projects/?page=2")
    beyond = owner_client.get("/api/projects/?page=3")
    others = other_client.get("/api/projects/")

    # then
    assert first.status_code == 200
    assert first.json()["count"] == 21
    assert len(first.json()["results"]) == 20
    assert first.json()["next"] == "http://testserver/api/projects/?page=2"
    assert [p["name"] for p in second.json()["results"]] == ["P20"]
    assert beyond.status_code == 404
    assert beyond.json() == {"detail": "Invalid page."}
    assert others.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_list_costs_a_constant_number_of_queries(owner, owner_client, django_assert_max_num_queries):
    # given
    for index in range(10):
        CampaignFactory(project=project_create(owner=owner, name=f"P{index}", html_template="<p>${a}</p>"))

    # then
    with django_assert_max_num_queries(8):
        response = owner_client.get("/api/projects/")
    assert response.json()["count"] == 10


def test_retrieve_a_project_with_its_batches(owner_client, project):
    # given
    batch = CampaignFactory(project=project)

    # when
    response = owner_client.get(f"/api/projects/{project.pk}/")

    # then
    assert response.status_code == 200
    assert response.json() == project_body(project, batches=[batch.pk])


def test_another_requesters_project_is_404(other_client, project):
    # when
    responses = [
        other_client.get(f"/api/projects/{project.pk}/"),
        other_client.patch(f"/api/projects/{project.pk}/", {"name": "stolen"}, format="json"),
        other_client.get(f"/api/projects/{project.pk}/batches/"),
        other_client.get(f"/api/projects/{project.pk}/permissions/"),
        other_client.post(
            f"/api/projects/{project.pk}/permissions/", {"users": [], "groups": []}, format="json"
        ),
    ]

    # then
    for response in responses:
        assert response.status_code == 404
        assert response.json() == {"detail": "No Project matches the given query."}
    project.refresh_from_db()
    assert project.name == "Image Contains"
    assert not project.restricted


def test_patch_updates_the_template_and_its_fields(owner_client, project):
    # when
    response = owner_client.patch(
        f"/api/projects/{project.pk}/",
        {"html_template": example("translate.html"), "allotted_assignment_time": 3},
        format="json",
    )

    # then
    project.refresh_from_db()
    assert response.status_code == 200
    assert response.json() == project_body(project)
    assert project.template_fields == ["target_language", "source", "source_id"]
    assert project.default_time_allowed_s == 3 * 3600


def test_put_needs_every_required_field(owner_client, project):
    # when
    incomplete = owner_client.put(f"/api/projects/{project.pk}/", {"name": "Renamed"}, format="json")
    complete = owner_client.put(
        f"/api/projects/{project.pk}/",
        {"name": "Renamed", "html_template": "<p>${a}</p><input name=b>", "filename": "a.html"},
        format="json",
    )

    # then
    project.refresh_from_db()
    assert incomplete.status_code == 400
    assert incomplete.json() == {
        "html_template": ["This field is required."],
        "filename": ["This field is required."],
    }
    assert complete.status_code == 200
    assert (project.name, project.template_filename, project.template_fields) == ("Renamed", "a.html", ["a"])


def test_project_batches_are_paginated(owner_client, project, other_client):
    # given
    batches = CampaignFactory.create_batch(2, project=project)
    CampaignFactory()

    # when
    response = owner_client.get(f"/api/projects/{project.pk}/batches/")

    # then
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [b["id"] for b in response.json()["results"]] == sorted(b.pk for b in batches)
    assert response.json()["results"][0]["project"] == project.pk


def test_project_batches_are_listed_twenty_per_page_as_turkles_project_pages(owner_client, project):
    # given 21 batches in the project and one elsewhere
    batches = CampaignFactory.create_batch(21, project=project)
    CampaignFactory()
    url = f"/api/projects/{project.pk}/batches/"

    # when
    first = owner_client.get(url)
    second = owner_client.get(f"{url}?page=2")
    beyond = owner_client.get(f"{url}?page=3")
    zero = owner_client.get(f"{url}?page=0")

    # then
    ids = sorted(b.pk for b in batches)
    assert first.status_code == 200
    assert (first.json()["count"], first.json()["previous"]) == (21, None)
    assert first.json()["next"] == f"http://testserver{url}?page=2"
    assert [b["id"] for b in first.json()["results"]] == ids[:20]
    assert second.status_code == 200
    assert (second.json()["next"], second.json()["previous"]) == (None, f"http://testserver{url}")
    assert [b["id"] for b in second.json()["results"]] == ids[20:]
    assert (beyond.status_code, beyond.json()) == (404, {"detail": "Invalid page."})
    assert (zero.status_code, zero.json()) == (404, {"detail": "Invalid page."})


def test_project_permissions_get_add_and_replace(owner_client, project):
    # given
    alice, bob = UserFactory(), UserFactory()
    spanish, french = GroupFactory(), GroupFactory()
    url = f"/api/projects/{project.pk}/permissions/"

    # when
    empty = owner_client.get(url)
    added = owner_client.post(url, {"users": [bob.pk, alice.pk], "groups": [spanish.pk]}, format="json")
    added_again = owner_client.post(url, {"users": [], "groups": [french.pk]}, format="json")
    replaced = owner_client.put(url, {"users": [bob.pk], "groups": []}, format="json")
    current = owner_client.get(url)

    # then
    assert empty.status_code == 200
    assert empty.json() == {"groups": [], "users": []}
    assert added.status_code == 201
    assert added.json() == {"groups": [spanish.pk], "users": sorted([alice.pk, bob.pk])}
    assert added_again.json() == {
        "groups": sorted([spanish.pk, french.pk]),
        "users": sorted([alice.pk, bob.pk]),
    }
    assert replaced.status_code == 200
    assert replaced.json() == {"groups": [], "users": [bob.pk]}
    assert current.json() == {"groups": [], "users": [bob.pk]}
    project.refresh_from_db()
    assert project.restricted


@pytest.mark.parametrize(
    "payload, errors",
    [
        ({"users": []}, {"groups": ["This field is required."]}),
        ({"groups": []}, {"users": ["This field is required."]}),
        ({"users": [999999], "groups": []}, {"users": ["User with id 999999 does not exist"]}),
        ({"users": [], "groups": [999999]}, {"groups": ["Group with id 999999 does not exist"]}),
    ],
)
def test_project_permissions_refuse_a_bad_body(owner_client, project, payload, errors):
    # when
    response = owner_client.post(f"/api/projects/{project.pk}/permissions/", payload, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    project.refresh_from_db()
    assert not project.restricted
    assert not project.worker_users.exists()
