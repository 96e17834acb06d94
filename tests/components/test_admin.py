"""The screen editor in the admin: components in order, a read-only preview, saves checked like the API's."""

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from projects.models import Screen
from projects.screens import screen_create
from tasks.models import Task

from .conftest import FIRST, job_campaign


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "correct-horse"))
    return client


def test_the_screen_page_lists_the_components_in_order_and_previews_them(admin_client, requester):
    components = [
        *FIRST,
        {"type": "Text", "style": "Html", "text": "<b>bold</b><script>x()</script>"},
        {"type": "Text", "style": "PlainText", "text": "<i>shown as text</i>"},
    ]
    screen = screen_create(owner=requester, name="Preview me", components=components)
    html = admin_client.get(f"/admin/projects/screen/{screen.pk}/change/").content.decode()
    # in order, with their types
    assert html.index("0 · Text") < html.index("1 · BinaryChoice") < html.index("2 · Rating")
    # the preview shows the options and stars, sanitised Html and escaped text, and nothing that runs
    assert '<button type="button" disabled>Yes</button>' in html and "☆☆☆☆☆" in html
    assert "<b>bold</b>" in html and "<script>x()" not in html
    assert "&lt;i&gt;shown as text&lt;/i&gt;" in html
    assert admin_client.get("/admin/projects/screen/").status_code == 200
    assert admin_client.get("/admin/projects/job/").status_code == 200


def test_a_bad_screen_is_refused_in_the_admin_and_nothing_is_saved(admin_client, requester):
    response = admin_client.post(
        "/admin/projects/screen/add/",
        {
            "name": "Bad",
            "owner": requester.pk,
            "components": json.dumps([{"type": "Rating", "steps": 0}]),
            "properties": "{}",
        },
    )
    assert response.status_code == 200
    assert "components[0].steps" in response.content.decode()
    assert not Screen.objects.exists()
    # a good one is saved through the same checks
    response = admin_client.post(
        "/admin/projects/screen/add/",
        {"name": "Good", "owner": requester.pk, "components": json.dumps(FIRST), "properties": "{}"},
    )
    assert response.status_code == 302
    assert Screen.objects.get().components == FIRST


def test_a_published_screen_is_read_only_in_the_admin(admin_client, requester):
    campaign = job_campaign(requester)
    screen = Task.objects.get(campaign=campaign).job.job_screens.first().screen
    html = admin_client.get(f"/admin/projects/screen/{screen.pk}/change/").content.decode()
    assert 'name="components"' not in html
