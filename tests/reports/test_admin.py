"""Reports in the admin: versions list, a version's page with its PNG shown and its files downloadable,
publishing through the list's action."""

import pytest

from reports.models import ReportVersion
from reports.services import report_create, report_run_queue
from tests.factories import UserFactory

from .conftest import synthetic_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(django_capture_on_commit_callbacks):
    campaign, _, _ = synthetic_campaign(tasks=10, gold_every=2)
    owner = campaign.project.owner
    report = report_create(user=owner, name="people", kind="workers", scope="campaign", scope_id=campaign.pk)
    with django_capture_on_commit_callbacks(execute=True):
        run = report_run_queue(
            user=owner, report=report, params={"gold_field": "gold", "answer_field": "label"}
        )
    run.refresh_from_db()
    return run.version


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_a_version_page_shows_png_artefacts_inline_and_offers_every_download(admin_client, version):
    page = admin_client.get(f"/admin/reports/reportversion/{version.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    png = version.files.get(name="time_per_result.png")
    url = f"/admin/reports/reportversion/file/{png.pk}/"
    assert f'<img src="{url}"' in html
    for item in version.files.all():
        assert f"/admin/reports/reportversion/file/{item.pk}/?download=1" in html
    shown = admin_client.get(url)
    assert shown["Content-Type"] == "image/png" and "attachment" not in shown.get("Content-Disposition", "")
    downloaded = admin_client.get(url + "?download=1")
    assert "attachment" in downloaded["Content-Disposition"]


def test_the_lists_show_reports_versions_and_runs(admin_client, version):
    assert version.report.name in admin_client.get("/admin/reports/report/").content.decode()
    assert version.pk in admin_client.get("/admin/reports/reportversion/").content.decode()
    assert "success" in admin_client.get("/admin/reports/reportrun/").content.decode()
    assert (
        version.pk in admin_client.get(f"/admin/reports/report/{version.report.pk}/change/").content.decode()
    )


def test_publishing_from_the_list(admin_client, version):
    response = admin_client.post(
        "/admin/reports/reportversion/", {"action": "publish", "_selected_action": [version.pk]}, follow=True
    )
    assert response.status_code == 200
    assert ReportVersion.objects.get(pk=version.pk).published


def test_a_staff_member_without_the_admin_cannot_fetch_files(client, version):
    client.force_login(UserFactory())
    item = version.files.first()
    response = client.get(f"/admin/reports/reportversion/file/{item.pk}/")
    assert response.status_code == 302  # to the admin login


def test_the_demo_has_a_finished_campaign_with_published_aggregate_and_workers_versions(tmp_path):
    from django.core.management import call_command

    from campaigns.models import Campaign
    from reports.demo import CAMPAIGN_NAME
    from reports.models import Report

    # given the quick start's demo data, seeded twice
    call_command("seed_demo", summary_file="", stdout=open(tmp_path / "out.txt", "w"))
    call_command("seed_demo", summary_file="", stdout=open(tmp_path / "out.txt", "w"))

    # then one finished campaign with answers, and two reports with one published version each
    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    assert campaign.state == "finished" and campaign.assignments.count() == 5 * 24
    kinds = {r.kind: r for r in Report.objects.filter(scope_id=campaign.pk)}
    assert set(kinds) == {"aggregate", "workers"}
    for report in kinds.values():
        assert report.versions.filter(published=True).count() == 1
    assert kinds["workers"].versions.get().files.filter(name__endswith=".png").count() == 3


def test_the_campaign_progress_page_links_its_reports(admin_client, version):
    # given a campaign with a report on it
    campaign_id = version.report.scope_id

    # when its progress page is opened
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign_id}/progress/").content.decode()

    # then it links the report's admin page
    assert f'href="/admin/reports/report/{version.report.pk}/change/"' in page
