from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, PermissionGrant, PermissionName
from accounts.services import api_token_create
from campaigns.models import Campaign
from projects.models import Project
from results.models import Assignment
from tasks.models import ImportJob, Task
from tests.factories import CampaignFactory, TaskFactory, UserFactory

from .conftest import make_world

MODELS = [User, Group, ApiToken, PermissionGrant, Project, Campaign, Task, ImportJob, Assignment]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_is_200_with_a_constant_number_of_queries(admin_client, model):
    # given one of everything
    make_world()
    few = _queries(admin_client, _url(model, "changelist"))

    # when the lists grow
    make_world(4)
    many = _queries(admin_client, _url(model, "changelist"))

    # then a page costs the same number of queries
    assert many == few


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_page_is_200(admin_client, model):
    make_world()
    obj = model.objects.order_by("pk").last()

    response = admin_client.get(_url(model, "change", obj.pk))

    assert response.status_code == 200


@pytest.mark.parametrize("model", [User, Group, ApiToken, PermissionGrant, Project, Campaign])
def test_add_page_is_200(admin_client, model):
    assert admin_client.get(_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", [Task, ImportJob, Assignment], ids=lambda m: m.__name__)
def test_engine_rows_cannot_be_added_by_hand(admin_client, model):
    assert admin_client.get(_url(model, "add")).status_code == 403


def test_changelist_links_follow_project_to_campaigns_to_tasks_to_assignments(admin_client):
    world = make_world()
    campaign, task = world["campaign"], world["task"]

    projects = admin_client.get(_url(Project, "changelist")).content.decode()
    campaigns = admin_client.get(_url(Campaign, "changelist")).content.decode()
    tasks = admin_client.get(_url(Task, "changelist")).content.decode()

    assert f"{_url(Campaign, 'changelist')}?project__id__exact={campaign.project_id}" in projects
    assert f"{_url(Task, 'changelist')}?campaign__id__exact={campaign.pk}" in campaigns
    assert f"{_url(Assignment, 'changelist')}?task__id__exact={task.pk}" in tasks
    filtered = admin_client.get(_url(Assignment, "changelist") + f"?campaign__id__exact={campaign.pk}")
    assert filtered.status_code == 200
    assert filtered.context["cl"].result_count == 1


def test_search_and_filters_answer_200(admin_client):
    world = make_world()

    for model, query in [
        (User, f"?q={world['worker'].username}"),
        (Campaign, "?state__exact=active&q=Campaign"),
        (Assignment, "?state__exact=accepted"),
        (Task, "?is_open__exact=1"),
        (ApiToken, "?kind__exact=api&q=script"),
    ]:
        response = admin_client.get(_url(model, "changelist") + query)
        assert response.status_code == 200, model
        assert response.context["cl"].result_count >= 1, model


def test_assignment_state_and_answers_are_read_only(admin_client):
    world = make_world()
    assignment = Assignment.objects.get(task=world["task"])

    response = admin_client.get(_url(Assignment, "change", assignment.pk))

    form_fields = response.context["adminform"].form.fields
    assert "state" not in form_fields
    assert "answers" not in form_fields


def test_task_bookkeeping_is_read_only(admin_client):
    world = make_world()

    response = admin_client.get(_url(Task, "change", world["task"].pk))

    assert response.context["adminform"].form.fields == {}


PROJECT_APPS = {"accounts", "projects", "campaigns", "tasks", "results", "worker"}


def test_every_project_model_is_in_the_admin_and_lists(admin_client):
    make_world()
    models = [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]

    unregistered = [m._meta.label for m in models if m not in admin.site._registry]
    failing = [m._meta.label for m in models if admin_client.get(_url(m, "changelist")).status_code != 200]

    assert (unregistered, failing) == ([], [])


def _grow(world: dict, n: int) -> None:
    """More of everything hanging off the world's objects, as pages would show inline or count."""
    now = timezone.now()
    for _ in range(n):
        user = UserFactory()
        user.groups.add(world["group"])
        api_token_create(user=world["worker"], name="more")
        PermissionGrant.objects.create(user=world["worker"], name=PermissionName.RESULTS_READ)
        PermissionGrant.objects.create(group=world["group"], name=PermissionName.RESULTS_READ)
        CampaignFactory(project=world["campaign"].project)
        task = TaskFactory(campaign=world["campaign"])
        Assignment.objects.create(
            task=task,
            campaign=world["campaign"],
            worker=user,
            accepted_at=now,
            expires_at=now + timedelta(hours=1),
        )


def test_change_pages_cost_the_same_whatever_hangs_off_the_object(admin_client):
    world = make_world()
    pages = [
        _url(User, "change", world["worker"].pk),
        _url(Group, "change", world["group"].pk),
        _url(Project, "change", world["campaign"].project_id),
        _url(Campaign, "change", world["campaign"].pk),
        _url(Task, "change", world["task"].pk),
        reverse("admin:campaigns_campaign_progress", args=[world["campaign"].pk]),
    ]
    for url in pages:  # warm the per-process caches (content types, sessions) first
        admin_client.get(url)
    few = [_queries(admin_client, url) for url in pages]

    _grow(world, 5)
    many = [_queries(admin_client, url) for url in pages]

    assert many == few


def test_list_filters_on_a_campaigns_state_say_so(admin_client):
    # when the task and assignment lists are shown, then no two of their filters share a title, and the
    # campaign's state is called so
    for url in (reverse("admin:tasks_task_changelist"), reverse("admin:results_assignment_changelist")):
        titles = [spec.title for spec in admin_client.get(url).context["cl"].filter_specs]
        assert len(titles) == len(set(titles)), titles
        assert "campaign state" in titles


def test_tasks_are_found_by_a_value_of_their_input(admin_client):
    # given two tasks, when the task list is searched for a word of one task's input
    wanted = TaskFactory(input={"object": "a red bicycle"})
    TaskFactory(input={"object": "a dog"})
    response = admin_client.get(reverse("admin:tasks_task_changelist"), {"q": "bicycle"})
    # then that task is the one listed
    assert [t.pk for t in response.context["cl"].result_list] == [wanted.pk]
