from datetime import UTC, datetime, timedelta
from unittest.mock import ANY

import pytest

from campaigns.models import Campaign, CampaignState
from results.claim import assignment_claim_next
from results.services import assignment_submit
from tasks.models import ImportJob, Task
from tests.factories import CampaignFactory, GroupFactory, TaskFactory, UserFactory

from .conftest import example

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


def create_batch(client, project, **extra):
    payload = {
        "name": "Bird Photos",
        "project": project.pk,
        "filename": "image_contains.csv",
        "csv_text": example("image_contains.csv"),
        **extra,
    }
    return client.post("/api/batches/", payload, format="json")


def work(campaign, answers_by_worker, *, now=NOON):
    """Each worker claims the next task and submits the given answers, 90 s later."""
    done = []
    for worker, answers in answers_by_worker:
        assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker, now=now)
        done.append(
            assignment_submit(
                assignment_id=assignment.pk, worker=worker, answers=answers, now=now + timedelta(seconds=90)
            )
        )
    return done


def read(response) -> str:
    return b"".join(response.streaming_content).decode()


# Creating


def test_create_a_batch_from_csv_text(owner_client, owner, project):
    # when
    response = create_batch(owner_client, project)

    # then
    batch = Campaign.objects.get()
    assert response.status_code == 201
    assert response.json() == {
        "id": batch.pk,
        "name": "Bird Photos",
        "created_at": ANY,
        "created_by": owner.pk,
        "project": project.pk,
        "filename": "image_contains.csv",
        "allotted_assignment_time": 24,
        "assignments_per_task": 1,
        "login_required": True,
        "custom_permissions": False,
        "active": True,
        "completed": False,
        "published": True,
    }
    assert batch.state == CampaignState.ACTIVE
    assert batch.tasks_count == 7
    assert list(Task.objects.filter(campaign=batch).values_list("input", flat=True)[2:4]) == [
        {"image_url": "https://images.example.org/kitchen-203.jpg", "object": "a kettle, or a teapot"},
        {"image_url": "https://images.example.org/harbour-042.jpg", "object": 'a boat called "Nora"'},
    ]


def test_optional_batch_fields_and_inactive_batches(owner_client, project):
    # when
    response = create_batch(
        owner_client,
        project,
        active=False,
        allotted_assignment_time=2,
        assignments_per_task=3,
        login_required=False,
    )

    # then
    batch = Campaign.objects.get()
    assert response.status_code == 201
    assert (response.json()["active"], response.json()["published"]) == (False, True)
    assert batch.state == CampaignState.PAUSED
    assert (batch.time_allowed_s, batch.results_per_task, batch.login_required) == (7200, 3, False)
    assert set(Task.objects.filter(campaign=batch).values_list("results_needed", flat=True)) == {3}


def test_a_multi_line_value_is_one_task(owner_client, owner):
    # given
    from projects.services import project_create

    project = project_create(owner=owner, name="Translate", html_template=example("translate.html"))

    # when
    response = owner_client.post(
        "/api/batches/",
        {
            "name": "T",
            "project": project.pk,
            "filename": "translate.csv",
            "csv_text": example("translate.csv"),
        },
        format="json",
    )

    # then
    assert response.status_code == 201
    inputs = list(Task.objects.order_by("position").values_list("input", flat=True))
    assert len(inputs) == 3
    assert inputs[1]["source"] == "A line\nthat spans two lines"


def test_a_header_without_a_template_field_is_refused(owner_client, project):
    # when
    response = create_batch(owner_client, project, csv_text=example("image_contains_bad_header.csv"))

    # then
    assert response.status_code == 400
    assert response.json() == {"csv_text": ["The header does not supply the template field 'object'."]}
    assert not Campaign.objects.exists()
    assert not Task.objects.exists()


def test_a_bad_row_is_refused_naming_its_line_and_nothing_is_written(owner_client, project):
    # when
    response = create_batch(owner_client, project, csv_text=example("image_contains_bad_row.csv"))

    # then
    assert response.status_code == 400
    assert response.json() == {"csv_text": ["Line 3 has 3 cells; the header has 2."]}
    assert not Campaign.objects.exists()
    assert not Task.objects.exists()
    assert not ImportJob.objects.exists()


def test_creating_a_batch_needs_its_fields(owner_client):
    # when
    response = owner_client.post("/api/batches/", {}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {
        "name": ["This field is required."],
        "project": ["This field is required."],
        "filename": ["This field is required."],
        "csv_text": ["This field is required."],
    }


def test_a_batch_cannot_be_created_in_another_requesters_project(other_client, project):
    # when
    response = create_batch(other_client, project)

    # then
    assert response.status_code == 400
    assert response.json() == {"project": [f'Invalid pk "{project.pk}" - object does not exist.']}
    assert not Campaign.objects.exists()


def test_a_batch_copies_a_restricted_projects_workers(owner_client, project):
    # given
    worker, group = UserFactory(), GroupFactory()
    owner_client.post(
        f"/api/projects/{project.pk}/permissions/",
        {"users": [worker.pk], "groups": [group.pk]},
        format="json",
    )

    # when
    response = create_batch(owner_client, project)

    # then
    assert response.json()["custom_permissions"] is True
    permissions = owner_client.get(f"/api/batches/{response.json()['id']}/permissions/")
    assert permissions.json() == {"groups": [group.pk], "users": [worker.pk]}


# Reading


def test_list_and_retrieve_only_own_batches(owner_client, other_client, project):
    # given
    batch = Campaign.objects.get(pk=create_batch(owner_client, project).json()["id"])

    # when
    listing = owner_client.get("/api/batches/")
    detail = owner_client.get(f"/api/batches/{batch.pk}/")
    others = other_client.get("/api/batches/")

    # then
    assert listing.status_code == 200
    assert listing.json() == {"count": 1, "next": None, "previous": None, "results": [detail.json()]}
    assert detail.json()["id"] == batch.pk
    assert others.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_batches_are_listed_a_hundred_per_page(owner_client, project, django_assert_max_num_queries):
    # given
    CampaignFactory.create_batch(101, project=project)

    # when
    with django_assert_max_num_queries(6):
        first = owner_client.get("/api/batches/")
    second = owner_client.get("/api/batches/?page=2")
    beyond = owner_client.get("/api/batches/?page=3")

    # then
    assert first.json()["count"] == 101
    assert len(first.json()["results"]) == 100
    assert first.json()["next"] == "http://testserver/api/batches/?page=2"
    assert len(second.json()["results"]) == 1
    assert second.json()["previous"] == "http://testserver/api/batches/"
    assert beyond.status_code == 404
    assert beyond.json() == {"detail": "Invalid page."}


@pytest.mark.parametrize(
    "method, suffix, payload",
    [
        ("get", "", None),
        ("patch", "", {"name": "stolen"}),
        ("post", "tasks/", {"csv_text": "image_url,object\na,b\n"}),
        ("get", "input/", None),
        ("get", "results/", None),
        ("get", "progress/", None),
        ("get", "permissions/", None),
        ("put", "permissions/", {"users": [], "groups": []}),
    ],
)
def test_another_requesters_batch_is_404(owner_client, other_client, project, method, suffix, payload):
    # given
    batch = Campaign.objects.get(pk=create_batch(owner_client, project).json()["id"])

    # when
    response = getattr(other_client, method)(f"/api/batches/{batch.pk}/{suffix}", payload, format="json")

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "No Batch matches the given query."}
    batch.refresh_from_db()
    assert (batch.name, batch.tasks_count, batch.restricted) == ("Bird Photos", 7, False)


# Changing


def test_patch_changes_name_active_and_time(owner_client, project):
    # given
    batch_id = create_batch(owner_client, project).json()["id"]

    # when
    response = owner_client.patch(
        f"/api/batches/{batch_id}/",
        {"name": "Renamed", "active": False, "allotted_assignment_time": 4},
        format="json",
    )
    reactivated = owner_client.patch(f"/api/batches/{batch_id}/", {"active": True}, format="json")

    # then
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["active"]) == ("Renamed", False)
    assert response.json()["allotted_assignment_time"] == 4
    assert reactivated.json()["active"] is True
    batch = Campaign.objects.get()
    assert (batch.name, batch.state, batch.time_allowed_s) == ("Renamed", CampaignState.ACTIVE, 4 * 3600)


@pytest.mark.parametrize("key, value", [("login_required", False), ("csv_text", "a\nb"), ("project", 1)])
def test_patch_refuses_other_fields(owner_client, project, key, value):
    # given
    batch_id = create_batch(owner_client, project).json()["id"]

    # when
    response = owner_client.patch(f"/api/batches/{batch_id}/", {"name": "Renamed", key: value}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {key: ["Cannot update through patch"]}
    batch = Campaign.objects.get()
    assert (batch.name, batch.login_required, batch.tasks_count) == ("Bird Photos", True, 7)


def test_put_on_a_batch_is_not_allowed(owner_client, project):
    # given
    batch_id = create_batch(owner_client, project).json()["id"]

    # when
    response = owner_client.put(f"/api/batches/{batch_id}/", {"name": "x"}, format="json")

    # then
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.'}


def test_activating_a_cancelled_batch_is_a_conflict(owner_client, project):
    # given
    batch_id = create_batch(owner_client, project).json()["id"]
    Campaign.objects.filter(pk=batch_id).update(state=CampaignState.CANCELLED)

    # when
    response = owner_client.patch(f"/api/batches/{batch_id}/", {"active": True}, format="json")

    # then
    assert response.status_code == 409
    assert response.json() == {"detail": "A cancelled campaign cannot be activated."}
    assert Campaign.objects.get().state == CampaignState.CANCELLED


def test_add_tasks_from_csv_text(owner_client, project):
    # given
    batch_id = create_batch(owner_client, project).json()["id"]

    # when
    response = owner_client.post(
        f"/api/batches/{batch_id}/tasks/",
        {"csv_text": "image_url,object\nhttps://x.example/1.jpg,a cat\nhttps://x.example/2.jpg,a deer\n"},
        format="json",
    )

    # then
    assert response.status_code == 201
    assert response.json() == {"new_tasks": 2}
    assert Task.objects.filter(campaign_id=batch_id).count() == 9
    assert owner_client.get(f"/api/batches/{batch_id}/progress/").json()["total_tasks"] == 9


@pytest.mark.parametrize(
    "payload, errors",
    [
        ({}, {"csv_text": ["This field is required."]}),
        ({"csv_text": ""}, {"csv_text": ["This field may not be blank."]}),
        (
            {"csv_text": example("image_contains_bad_header.csv")},
            {"csv_text": ["The header does not supply the template field 'object'."]},
        ),
        (
            {"csv_text": example("image_contains_bad_row.csv")},
            {"csv_text": ["Line 3 has 3 cells; the header has 2."]},
        ),
    ],
)
def test_adding_bad_tasks_is_refused_and_nothing_is_written(owner_client, project, payload, errors):
    # given
    batch_id = create_batch(owner_client, project).json()["id"]

    # when
    response = owner_client.post(f"/api/batches/{batch_id}/tasks/", payload, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert Task.objects.filter(campaign_id=batch_id).count() == 7
    assert ImportJob.objects.filter(campaign_id=batch_id).count() == 1


def test_batch_permissions_get_add_and_replace(owner_client, project):
    # given
    batch_id = create_batch(owner_client, project).json()["id"]
    alice, bob, group = UserFactory(), UserFactory(), GroupFactory()
    url = f"/api/batches/{batch_id}/permissions/"

    # when
    empty = owner_client.get(url)
    added = owner_client.post(url, {"users": [bob.pk, alice.pk], "groups": [group.pk]}, format="json")
    replaced = owner_client.put(url, {"users": [alice.pk], "groups": []}, format="json")

    # then
    assert empty.json() == {"groups": [], "users": []}
    assert added.status_code == 201
    assert added.json() == {"groups": [group.pk], "users": sorted([alice.pk, bob.pk])}
    assert replaced.status_code == 200
    assert replaced.json() == {"groups": [], "users": [alice.pk]}
    assert owner_client.get(f"/api/batches/{batch_id}/").json()["custom_permissions"] is True


def test_batch_permissions_need_users_and_groups(owner_client, project):
    # given
    batch_id = create_batch(owner_client, project).json()["id"]

    # when
    response = owner_client.put(f"/api/batches/{batch_id}/permissions/", {"users": []}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {"groups": ["This field is required."]}
    assert not Campaign.objects.get().restricted


# Status


def test_progress_counts_tasks_and_results(owner_client, project):
    # given a batch of 7 tasks × 2 results, one task done twice, one started once
    batch_id = create_batch(owner_client, project, assignments_per_task=2).json()["id"]
    batch = Campaign.objects.get(pk=batch_id)
    alice, bob = UserFactory(), UserFactory()
    work(batch, [(alice, {"contains": "yes"}), (bob, {"contains": "no"})])
    assignment_claim_next(campaign_id=batch.pk, worker=alice, now=NOON)

    # when
    response = owner_client.get(f"/api/batches/{batch_id}/progress/")

    # then
    assert response.status_code == 200
    assert response.json() == {
        "total_tasks": 7,
        "total_task_assignments": 14,
        "total_finished_tasks": 1,
        "total_finished_task_assignments": 2,
    }


def test_progress_costs_a_constant_number_of_queries(owner_client, project, django_assert_max_num_queries):
    # given
    batch_id = create_batch(owner_client, project).json()["id"]
    batch = Campaign.objects.get(pk=batch_id)
    work(batch, [(UserFactory(), {"contains": "yes"}) for _ in range(5)])

    # then
    with django_assert_max_num_queries(6):
        owner_client.get(f"/api/batches/{batch_id}/progress/")


def test_a_batch_is_completed_when_every_task_has_its_results(owner_client, owner):
    # given
    from projects.services import project_create

    project = project_create(owner=owner, name="P", html_template="<p>${a}</p>")
    batch_id = owner_client.post(
        "/api/batches/",
        {"name": "B", "project": project.pk, "filename": "b.csv", "csv_text": "a\n1\n2\n"},
        format="json",
    ).json()["id"]
    batch = Campaign.objects.get(pk=batch_id)

    # when
    before = owner_client.get(f"/api/batches/{batch_id}/").json()["completed"]
    work(batch, [(UserFactory(), {"x": "1"}), (UserFactory(), {"x": "2"})])
    after = owner_client.get(f"/api/batches/{batch_id}/").json()["completed"]

    # then
    assert (before, after) == (False, True)


def test_input_csv_rebuilds_the_uploaded_rows(owner_client, project):
    # given
    batch_id = create_batch(owner_client, project).json()["id"]

    # when
    response = owner_client.get(f"/api/batches/{batch_id}/input/")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="image_contains.csv"'
    assert read(response) == (
        '"image_url","object"\n'
        '"https://images.example.org/street-001.jpg","a bicycle"\n'
        '"https://images.example.org/park-017.jpg","a dog"\n'
        '"https://images.example.org/kitchen-203.jpg","a kettle, or a teapot"\n'
        '"https://images.example.org/harbour-042.jpg","a boat called ""Nora"""\n'
        '"https://images.example.org/market-311.jpg","ein Fahrrad — ü é ß 漢字"\n'
        '"https://images.example.org/formula-000.jpg","=HYPERLINK(""https://evil.example"",""x"")"\n'
        '"https://images.example.org/html-000.jpg","<b>bold</b> & <i>co</i>"\n'
    )


def test_results_csv_has_turkles_columns_and_formats(owner_client, project):
    # given two submitted assignments, one with a multi-valued answer, and one still open
    batch_id = create_batch(owner_client, project, assignments_per_task=2).json()["id"]
    batch = Campaign.objects.get(pk=batch_id)
    Campaign.objects.filter(pk=batch_id).update(created_at=datetime(2026, 11, 22, 8, 48, 57, tzinfo=UTC))
    batch.refresh_from_db()
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    first, second = work(
        batch,
        [
            (alice, {"contains": "yes", "also": ["person", "vehicle"], "comment": ""}),
            (bob, {"contains": "=1+1", "comment": 'said "hi", left'}),
        ],
    )
    assignment_claim_next(campaign_id=batch.pk, worker=UserFactory(), now=NOON)
    task = first.task

    # when
    response = owner_client.get(f"/api/batches/{batch_id}/results/")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == (
        f'attachment; filename="Project-{project.pk}_Batch-{batch_id}-image_contains_results.csv"'
    )
    fixed = f'"{task.pk}","{project.pk}","Image Contains","Sun Nov 22 08:48:57 UTC 2026","2","86400"'
    url = '"https://images.example.org/street-001.jpg","a bicycle"'
    times = '"Sun Nov 22 12:00:00 UTC 2026","Sun Nov 22 12:01:30 UTC 2026","90"'
    assert read(response) == (
        '"HITId","HITTypeId","Title","CreationTime","MaxAssignments","AssignmentDurationInSeconds",'
        '"AssignmentId","WorkerId","AcceptTime","SubmitTime","WorkTimeInSeconds",'
        '"Input.image_url","Input.object","Answer.also","Answer.comment","Answer.contains","Turkle.Username"\n'
        f'{fixed},"{first.pk}","{alice.pk}",{times},{url},"[\'person\', \'vehicle\']","","yes","alice"\n'
        f'{fixed},"{second.pk}","{bob.pk}",{times},{url},"","said ""hi"", left","=1+1","bob"\n'
    )


def test_results_csv_of_a_batch_without_work_is_the_header(owner_client, project):
    # given
    batch_id = create_batch(owner_client, project).json()["id"]

    # when
    response = owner_client.get(f"/api/batches/{batch_id}/results/")

    # then
    assert read(response) == (
        '"HITId","HITTypeId","Title","CreationTime","MaxAssignments","AssignmentDurationInSeconds",'
        '"AssignmentId","WorkerId","AcceptTime","SubmitTime","WorkTimeInSeconds",'
        '"Input.image_url","Input.object","Turkle.Username"\n'
    )


def test_unknown_batch_is_404(owner_client):
    # when
    response = owner_client.get("/api/batches/999999/")

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "No Batch matches the given query."}


def test_patch_leaves_out_what_a_client_cannot_write_at_all(owner_client, project):
    # given a batch, read back whole as Turkle's own client does before it updates
    batch = create_batch(owner_client, project).json()
    # when the whole dict goes back with a new name (id, completed, created_at ... included)
    response = owner_client.patch(f"/api/batches/{batch['id']}/", {**batch, "name": "Renamed"}, format="json")
    # then the fields that may only be set on creation are refused, each by name
    assert response.status_code == 400
    assert set(response.json()) == {
        "project",
        "filename",
        "assignments_per_task",
        "login_required",
        "custom_permissions",
    }
    # and with only the read-only fields besides the name, the name changes
    read_only = {k: batch[k] for k in ("id", "completed", "created_at", "created_by", "published")}
    renamed = owner_client.patch(
        f"/api/batches/{batch['id']}/", {**read_only, "name": "Renamed"}, format="json"
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Renamed"


def test_a_refused_activation_leaves_the_rest_of_the_patch_unwritten(owner_client, owner, project):
    # given an unpublished batch that pays per result, of a requester whose wallet is empty
    batch = CampaignFactory(
        project=project, state=CampaignState.UNPUBLISHED, payment_per_result="1.00", time_allowed_s=3600
    )
    TaskFactory(campaign=batch)
    Campaign.objects.filter(pk=batch.pk).update(tasks_count=1)
    name = batch.name
    # when a patch renames it, changes its time and activates it
    response = owner_client.patch(
        f"/api/batches/{batch.pk}/",
        {"name": "Renamed", "allotted_assignment_time": 7, "active": True},
        format="json",
    )
    # then the activation is refused for want of money, and nothing of the patch is written
    assert response.status_code == 402
    batch.refresh_from_db()
    assert (batch.name, batch.time_allowed_s, batch.state) == (name, 3600, CampaignState.UNPUBLISHED)


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"allotted_assignment_time": 99999999999}, "allotted_assignment_time"),
        ({"assignments_per_task": 10**12}, "assignments_per_task"),
    ],
)
def test_numbers_out_of_range_are_refused_with_their_field(owner_client, project, extra, field):
    # when a batch is created with a time limit or a count no worker could ever be given
    response = create_batch(owner_client, project, **extra)
    # then the field is named, and nothing is created
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Campaign.objects.exists()


def test_a_csv_with_a_quote_left_open_is_refused_with_its_line(owner_client, project):
    # when the CSV's second record opens a quote it never closes
    response = create_batch(owner_client, project, csv_text='image_url,object\nu1,"abc\nu2,b\n')
    # then the line where that record starts is named, and nothing is created
    assert response.status_code == 400
    assert response.json() == {"csv_text": ["Line 2: a quoted cell is never closed."]}
    assert not Campaign.objects.exists()
