import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core.management import call_command

from accounts.models import ApiToken, LedgerEntry, PermissionGrant, PermissionName, Wallet
from accounts.selectors import api_token_get_active
from campaigns.models import Campaign, CampaignState
from projects.models import Project
from results.claim import assignment_claim_next
from results.decisions import assignment_approve
from results.services import assignment_submit
from tasks.models import Task
from tests.money.invariants import assert_money_invariants

TOKEN_LINE = re.compile(r"^\s+(\w+)\s+(\w+)\s+password (\S+)\s+token (\S+)$", re.MULTILINE)


def _seed_text(tmp_path) -> str:
    out = StringIO()
    call_command("seed_demo", summary_file=str(tmp_path / "quickstart.txt"), stdout=out)
    text = out.getvalue()
    assert (tmp_path / "quickstart.txt").read_text() == text
    return text


def _seed(tmp_path) -> dict[str, tuple[str, str]]:
    text = _seed_text(tmp_path)
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
    urls = [
        task.input["image_url"] for task in Task.objects.order_by("position") if "image_url" in task.input
    ]
    # then each task's picture is an SVG picture among the platform's static files, not on another host
    static = "/" + settings.STATIC_URL.lstrip("/")
    assert Task.objects.filter(campaign__name="Pictures, first batch").count() == 7 and urls
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


def test_the_demo_has_money_so_freeze_approve_and_paid_show_at_once(db, tmp_path, settings):
    # given the seeded demo, with the platform's default commission of 20%
    settings.CROWD_COMMISSION_RATE = "0.20"
    text = _seed_text(tmp_path)
    requester, worker = User.objects.get(username="requester"), User.objects.get(username="worker1")
    campaign = Campaign.objects.get(name="Pictures, first batch")

    # then the campaign pays 0.50 per result, and publishing froze its budget from the requester's deposit:
    # 7 tasks × 2 results × (0.50 + 0.10 commission) = 8.40
    assert campaign.payment_per_result == Decimal("0.50")
    assert campaign.frozen_amount == Decimal("8.40")
    wallet = Wallet.objects.get(user=requester)
    assert (wallet.available, wallet.frozen) == (Decimal("91.60"), Decimal("8.40"))
    assert "Requester's wallet: 91.60 available, 8.40 frozen in campaign budgets" in text
    # through the ledger: one deposit, one freeze
    kinds = sorted(LedgerEntry.objects.values_list("kind", flat=True))
    assert kinds == [LedgerEntry.Kind.DEPOSIT, LedgerEntry.Kind.FREEZE]

    # when a worker submits a result and the requester approves it
    assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
    assignment_submit(assignment_id=assignment.pk, worker=worker, answers={"contains": "yes"})
    assignment_approve(assignment_id=assignment.pk, reviewer=requester)

    # then the worker is paid 0.50 at once
    assert Wallet.objects.get(user=worker).available == Decimal("0.50")
    assert_money_invariants()


def test_seeding_again_does_not_deposit_twice(db, tmp_path):
    # given the demo seeded twice
    _seed(tmp_path)
    _seed(tmp_path)

    # then the requester was funded once
    requester = User.objects.get(username="requester")
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DEPOSIT).count() == 1
    wallet = Wallet.objects.get(user=requester)
    assert wallet.available + wallet.frozen == Decimal("100.00")
    assert_money_invariants()


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
