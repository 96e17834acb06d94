import re
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core.management import call_command

from accounts.models import ApiToken, PermissionGrant, PermissionName
from accounts.selectors import api_token_get_active
from campaigns.models import Campaign, CampaignState
from projects.models import Project
from tasks.models import Task

TOKEN_LINE = re.compile(r"^\s+(\w+)\s+(\w+)\s+password (\S+)\s+token (\S+)$", re.MULTILINE)


def _seed(tmp_path) -> dict[str, tuple[str, str]]:
    out = StringIO()
    call_command("seed_demo", summary_file=str(tmp_path / "quickstart.txt"), stdout=out)
    text = out.getvalue()
    assert (tmp_path / "quickstart.txt").read_text() == text
    return {username: (password, key) for _, username, password, key in TOKEN_LINE.findall(text)}


def test_seed_demo_twice_gives_the_same_data_and_fresh_tokens_that_authenticate(db, tmp_path):
    first = _seed(tmp_path)

    second = _seed(tmp_path)

    assert set(second) == {"admin", "requester", "worker1", "worker2"}
    for username, (password, key) in second.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert api_token_get_active(key=key).user == user
        assert api_token_get_active(key=first[username][1]) is None
        assert ApiToken.objects.filter(user=user).count() == 1
    assert User.objects.get(username="admin").is_superuser
    assert (
        PermissionGrant.objects.filter(
            user__username="requester", name=PermissionName.PROJECTS_CREATE, scope="*"
        ).count()
        == 1
    )
    assert Project.objects.count() == 2
    campaign = Campaign.objects.get(name="Pictures, first batch")
    assert campaign.state == CampaignState.ACTIVE
    assert campaign.tasks_count == Task.objects.filter(campaign=campaign).count() == 7
    assert campaign.project.template_fields == ["object", "image_url"]


def test_printed_requester_token_works_on_the_native_api(db, tmp_path, client):
    _, key = _seed(tmp_path)["requester"]

    response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200


def test_every_demo_picture_is_a_static_file_of_the_platform_itself(db, tmp_path):
    # given the seeded demo
    _seed(tmp_path)
    urls = [task.input["image_url"] for task in Task.objects.filter(job__isnull=True).order_by("position")]
    # then each task's picture is an SVG picture among the platform's static files, not on another host
    static = "/" + settings.STATIC_URL.lstrip("/")
    assert len(urls) == 7
    for url in urls:
        assert url.startswith(f"{static}demo/"), url
        path = finders.find(url.removeprefix(static))
        assert path is not None, url
        assert Path(path).read_text().lstrip().startswith("<svg"), url


def _export_line(**options) -> str:
    out = StringIO()
    call_command("seed_demo", summary_file="", stdout=out, **options)
    return next(line for line in out.getvalue().splitlines() if "export " in line)


def test_the_export_line_carries_the_base_url_of_the_port_in_use(db, monkeypatch):
    # given `make run` on another port
    monkeypatch.setenv("PORT", "8123")
    # then the printed export line sends the walkthrough there, or where --base-url says
    assert " export BASE_URL=http://127.0.0.1:8123 ADMIN_TOKEN=" in _export_line()
    assert " export BASE_URL=http://10.0.0.5:9000 ADMIN_TOKEN=" in _export_line(
        base_url="http://10.0.0.5:9000/"
    )


def test_seed_demo_makes_one_component_campaign_with_a_job_of_two_screens(db, tmp_path):
    from projects.components import REGISTRY
    from projects.selectors import job_screens

    _seed(tmp_path)
    _seed(tmp_path)
    campaign = Campaign.objects.get(name="Street scenes, component demo")
    assert campaign.state == CampaignState.ACTIVE
    [task] = Task.objects.filter(campaign=campaign)
    screens = job_screens(job_id=task.job_id)
    assert len(screens) == 2
    used = {c["type"] for s in screens for c in s.components}
    assert {
        "Text",
        "Image",
        "BinaryChoice",
        "Rating",
        "TextInput",
        "Toggle",
        "AudioRecording",
        "ImageMarker",
    } <= used
    assert used <= set(REGISTRY)
