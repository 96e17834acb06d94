from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignState
from results.claim import assignment_claim_next
from results.models import Assignment, AssignmentState
from results.services import assignment_submit
from tasks.models import Task
from tests.factories import CampaignFactory, ProjectFactory, TaskFactory, UserFactory
from tests.money.scenario import fund

DEMO = Path(settings.BASE_DIR) / "demo"
UPLOAD = reverse("admin:campaigns_campaign_upload")
CHANGELIST = reverse("admin:campaigns_campaign_changelist")
IMAGE_TEMPLATE = (DEMO / "image_contains.html").read_text()


def _csv(content: bytes, name: str = "batch.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _preview(admin_client, project, content: bytes, **extra):
    return admin_client.post(
        UPLOAD, {"project": project.pk, "csv_file": _csv(content), "name": "", **extra}, follow=False
    )


def test_upload_preview_shows_first_rows_and_detected_fields(admin_client):
    project = ProjectFactory(html_template=IMAGE_TEMPLATE, template_fields=["object", "image_url"])

    response = _preview(admin_client, project, (DEMO / "image_contains.csv").read_bytes())

    assert response.status_code == 200
    assert response.context["header"] == ["image_url", "object"]
    assert response.context["row_count"] == 7
    assert response.context["preview"][2] == [
        "/static/demo/kitchen-203.svg",
        "a kettle, or a teapot",
    ]
    assert response.context["template_fields"] == ["object", "image_url"]
    assert "a boat called &quot;Nora&quot;" in response.content.decode()
    assert Campaign.objects.count() == 0


def test_upload_confirm_creates_campaign_ingests_and_publishes(admin_client, superuser, media_root):
    project = ProjectFactory(html_template=IMAGE_TEMPLATE, template_fields=["object", "image_url"])
    preview = _preview(admin_client, project, (DEMO / "image_contains.csv").read_bytes())
    form = preview.context["form"]

    response = admin_client.post(
        UPLOAD,
        {**{name: form[name].value() for name in form.fields}, "name": "Pictures", "confirm": "publish"},
    )

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:campaigns_campaign_progress", args=[campaign.pk])
    assert (campaign.name, campaign.state, campaign.tasks_count) == ("Pictures", CampaignState.ACTIVE, 7)
    assert campaign.created_by == superuser
    assert campaign.filename == "batch.csv"
    first = Task.objects.filter(campaign=campaign).order_by("position").first()
    assert first.input == {"image_url": "/static/demo/street-001.svg", "object": "a bicycle"}
    assert not (media_root / "admin-uploads" / f"{form['upload'].value()}.csv").exists()


def test_upload_confirm_can_leave_the_campaign_unpublished(admin_client):
    project = ProjectFactory()
    preview = _preview(admin_client, project, b"text\nhello\nworld\n")
    form = preview.context["form"]

    admin_client.post(UPLOAD, {**{n: form[n].value() for n in form.fields}, "confirm": "unpublished"})

    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.state, campaign.tasks_count) == ("batch", CampaignState.UNPUBLISHED, 2)


def test_upload_cancel_discards_the_file_and_creates_nothing(admin_client, media_root):
    project = ProjectFactory()
    form = _preview(admin_client, project, b"text\nhello\n").context["form"]

    response = admin_client.post(UPLOAD, {"upload": form["upload"].value(), "discard": "Cancel"})

    assert response.status_code == 302
    assert Campaign.objects.count() == 0
    assert not (media_root / "admin-uploads" / f"{form['upload'].value()}.csv").exists()


def test_bad_row_shows_the_line_and_writes_nothing(admin_client):
    project = ProjectFactory(html_template=IMAGE_TEMPLATE, template_fields=["object", "image_url"])
    bad = (
        b"image_url,object\n"
        b"https://images.example.org/street-001.jpg,a bicycle\n"
        b"https://images.example.org/park-017.jpg,a dog,extra\n"
    )

    response = _preview(admin_client, project, bad)

    assert response.status_code == 200
    errors = response.context["form"].errors["csv_file"]
    assert errors == ["Line 3 has 3 cells; the header has 2."]
    assert "Line 3 has 3 cells" in response.content.decode()
    assert (Campaign.objects.count(), Task.objects.count()) == (0, 0)


def test_bad_header_names_the_missing_field_and_writes_nothing(admin_client):
    project = ProjectFactory(html_template=IMAGE_TEMPLATE, template_fields=["object", "image_url"])

    response = _preview(admin_client, project, b"image_url,thing\nhttps://x.example/a.jpg,a bicycle\n")

    (error,) = response.context["form"].errors["csv_file"]
    assert error.startswith("Line 1: ") and "'object'" in error
    assert (Campaign.objects.count(), Task.objects.count()) == (0, 0)


def test_publish_action_moves_state_through_the_service(admin_client):
    campaign = CampaignFactory(state=CampaignState.UNPUBLISHED)

    response = admin_client.post(
        CHANGELIST, {"action": "campaign_publish", "_selected_action": [campaign.pk]}, follow=True
    )

    campaign.refresh_from_db()
    assert response.status_code == 200
    assert campaign.state == CampaignState.ACTIVE
    assert campaign.published_at is not None


def test_illegal_transition_action_reports_and_changes_nothing(admin_client):
    campaign = CampaignFactory(state=CampaignState.CANCELLED)

    response = admin_client.post(
        CHANGELIST, {"action": "campaign_publish", "_selected_action": [campaign.pk]}, follow=True
    )

    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CANCELLED
    assert "Cannot publish a campaign that is cancelled." in response.content.decode()


def test_campaign_state_is_not_editable_and_published_terms_are_frozen(admin_client):
    campaign = CampaignFactory(state=CampaignState.ACTIVE)

    response = admin_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))

    fields = response.context["adminform"].form.fields
    assert "state" not in fields
    assert "results_per_task" not in fields
    assert "name" in fields


def test_closed_campaign_is_entirely_read_only(admin_client):
    campaign = CampaignFactory(state=CampaignState.FINISHED)

    response = admin_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))

    assert response.context["adminform"].form.fields == {}


def _progress_world(tasks: int):
    """A one-result campaign of ``tasks`` tasks, each claimed by a worker of its own through the engine (so
    the tasks' bookkeeping is as work leaves it); every other one submitted."""
    campaign = CampaignFactory(results_per_task=1)
    TaskFactory.create_batch(tasks, campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(tasks_count=tasks)
    for i in range(tasks):
        worker = UserFactory()
        assignment = assignment_claim_next(campaign_id=campaign.pk, worker=worker)
        if i % 2 == 0:
            assignment_submit(assignment_id=assignment.pk, worker=worker, answers={"label": "x"})
    campaign.refresh_from_db()
    return campaign


def test_progress_page_counts_tasks_and_assignments_in_constant_queries(admin_client):
    small, big = _progress_world(2), _progress_world(6)

    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("admin:campaigns_campaign_progress", args=[small.pk]))
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(reverse("admin:campaigns_campaign_progress", args=[big.pk]))

    assert response.status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)
    assert (response.context["tasks_total"], response.context["tasks_finished"]) == (6, 3)
    states = dict(response.context["states"])
    assert (states["Submitted (in review)"], states["Accepted"], states["Expired"]) == (3, 3, 0)
    assert (response.context["results_done"], response.context["results_wanted"]) == (3, 6)


def test_expire_now_marks_abandoned_assignments_expired(admin_client):
    campaign = _progress_world(2)
    Assignment.objects.filter(state=AssignmentState.ACCEPTED).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    progress = reverse("admin:campaigns_campaign_progress", args=[campaign.pk])

    response = admin_client.post(reverse("admin:results_assignment_expire_now"), {"next": progress})

    assert response.status_code == 302 and response["Location"] == progress
    assert Assignment.objects.filter(state=AssignmentState.EXPIRED).count() == 1
    assert Assignment.objects.filter(state=AssignmentState.SUBMITTED).count() == 1


def test_expire_abandoned_action_on_the_assignment_list(admin_client):
    campaign = _progress_world(2)
    abandoned = Assignment.objects.get(state=AssignmentState.ACCEPTED)
    Assignment.objects.filter(pk=abandoned.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    admin_client.post(
        reverse("admin:results_assignment_changelist"),
        {"action": "expire_abandoned_now", "_selected_action": [abandoned.pk]},
    )

    abandoned.refresh_from_db()
    assert abandoned.state == AssignmentState.EXPIRED
    assert campaign.tasks.get(pk=abandoned.task_id).is_open is True


def test_input_and_results_csv_downloads_match_the_turkle_api(admin_client, superuser):
    campaign = _progress_world(2)
    Campaign.objects.filter(pk=campaign.pk).update(filename="pictures.csv")
    Assignment.objects.filter(state=AssignmentState.SUBMITTED).update(answers={"label": "yes"})
    turkle = APIClient()
    turkle.force_authenticate(superuser)

    given_input = admin_client.get(reverse("admin:campaigns_campaign_input_csv", args=[campaign.pk]))
    given_results = admin_client.get(reverse("admin:campaigns_campaign_results_csv", args=[campaign.pk]))

    assert given_input.status_code == given_results.status_code == 200
    assert given_input["Content-Disposition"] == 'attachment; filename="pictures.csv"'
    assert given_results["Content-Disposition"] == (
        f'attachment; filename="Project-{campaign.project_id}_Batch-{campaign.pk}-pictures_results.csv"'
    )
    input_bytes = b"".join(given_input.streaming_content)
    results_bytes = b"".join(given_results.streaming_content)
    assert input_bytes.splitlines()[0] == b'"text"'
    assert b'"yes"' in results_bytes
    assert input_bytes == b"".join(turkle.get(f"/api/batches/{campaign.pk}/input/").streaming_content)
    assert results_bytes == b"".join(turkle.get(f"/api/batches/{campaign.pk}/results/").streaming_content)


def test_confirm_with_a_forged_upload_token_creates_nothing(admin_client):
    project = ProjectFactory()

    response = admin_client.post(
        UPLOAD,
        {
            "upload": "../../db",
            "filename": "x.csv",
            "project": project.pk,
            "name": "forged",
            "results_per_task": 1,
            "time_allowed_s": 60,
            "confirm": "publish",
        },
    )

    assert response.status_code == 302 and response["Location"] == UPLOAD
    assert Campaign.objects.count() == 0


def test_the_progress_page_expires_only_its_own_campaigns_abandoned_work(admin_client):
    # given abandoned work in two campaigns
    campaign, other = _progress_world(2), _progress_world(2)
    Assignment.objects.filter(state=AssignmentState.ACCEPTED).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    progress = reverse("admin:campaigns_campaign_progress", args=[campaign.pk])
    # when the button on the first campaign's progress page is used
    admin_client.post(
        reverse("admin:results_assignment_expire_now"), {"next": progress, "campaign": campaign.pk}
    )
    # then only that campaign's abandoned assignment is expired
    expired = Assignment.objects.filter(state=AssignmentState.EXPIRED)
    assert list(expired.values_list("campaign_id", flat=True)) == [campaign.pk]
    assert other.assignments.filter(state=AssignmentState.ACCEPTED).count() == 1


def test_the_expire_action_acts_on_the_selection_only(admin_client):
    # given two abandoned assignments, one selected
    _progress_world(2), _progress_world(2)
    selected, left = Assignment.objects.filter(state=AssignmentState.ACCEPTED).order_by("pk")
    Assignment.objects.filter(state=AssignmentState.ACCEPTED).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    # when the action runs on the selection
    admin_client.post(
        reverse("admin:results_assignment_changelist"),
        {"action": "expire_abandoned_now", "_selected_action": [selected.pk]},
    )
    # then the selected one is expired, the other is not
    selected.refresh_from_db(), left.refresh_from_db()
    assert (selected.state, left.state) == (AssignmentState.EXPIRED, AssignmentState.ACCEPTED)


def test_saving_a_closed_campaign_changes_nothing_and_does_not_fail(admin_client):
    # given a cancelled campaign, when its page is saved as it is
    campaign = CampaignFactory(state=CampaignState.CANCELLED)
    change = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    response = admin_client.post(change, {})
    # then the admin answers as for any save, without an error
    assert response.status_code == 302


def test_a_value_the_engine_refuses_is_not_saved_and_the_admin_is_told(admin_client):
    # given an unpublished campaign's form, filled in with a cap of 0 results per worker (the model field
    # takes it; the engine's rule does not)
    campaign = CampaignFactory(state=CampaignState.UNPUBLISHED, name="Before")
    change = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(name="After", max_results_per_worker=0, worker_users=[], worker_groups=[])
    # when the form is saved
    response = admin_client.post(change, data, follow=True)
    # then the admin stays on the page, told why, and nothing was saved
    assert response.status_code == 200
    assert "Not saved: max_results_per_worker must be empty or at least 1." in response.content.decode()
    campaign.refresh_from_db()
    assert (campaign.name, campaign.max_results_per_worker) == ("Before", None)


def test_published_campaigns_cannot_be_deleted_and_there_is_no_bulk_delete(admin_client):
    # given a published campaign and an unpublished one
    published = CampaignFactory(state=CampaignState.ACTIVE)
    draft = CampaignFactory(state=CampaignState.UNPUBLISHED)
    # then the published one's delete page is refused, the draft's is offered, and the list has no bulk delete
    assert (
        admin_client.get(reverse("admin:campaigns_campaign_delete", args=[published.pk])).status_code == 403
    )
    assert admin_client.get(reverse("admin:campaigns_campaign_delete", args=[draft.pk])).status_code == 200
    actions = admin_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "delete_selected" not in [name for name, _ in actions]


def test_tasks_and_imports_cannot_be_deleted_on_their_own(admin_client):
    task = TaskFactory()
    assert admin_client.get(reverse("admin:tasks_task_delete", args=[task.pk])).status_code == 403
    actions = admin_client.get(reverse("admin:tasks_task_changelist")).context["action_form"]
    assert actions is None or "delete_selected" not in [n for n, _ in actions.fields["action"].choices]


def test_a_header_without_rows_is_refused_at_preview(admin_client):
    project = ProjectFactory(html_template=IMAGE_TEMPLATE, template_fields=["object", "image_url"])
    response = _preview(admin_client, project, b"image_url,object\n")
    assert response.context["form"].errors["csv_file"] == [
        "The file has a header but no rows: there would be nothing to work on."
    ]
    assert Campaign.objects.count() == 0


def test_confirming_the_same_upload_twice_creates_one_campaign(admin_client, media_root):
    # given a previewed upload
    project = ProjectFactory(html_template=IMAGE_TEMPLATE, template_fields=["object", "image_url"])
    form = _preview(admin_client, project, (DEMO / "image_contains.csv").read_bytes()).context["form"]
    confirm = {**{name: form[name].value() for name in form.fields}, "name": "Pictures", "confirm": "save"}
    # when it is confirmed twice (a double click)
    first = admin_client.post(UPLOAD, confirm)
    second = admin_client.post(UPLOAD, confirm, follow=True)
    # then one campaign exists, and the second click is told the upload was used
    assert first.status_code == 302
    assert Campaign.objects.count() == 1
    assert "This upload was already used or has expired" in second.content.decode()


def test_an_uploaded_batch_can_pay_per_result_and_is_funded_when_published(admin_client, media_root):
    # given a previewed upload asking 0.50 per result, for a project whose owner has money
    project = ProjectFactory(html_template=IMAGE_TEMPLATE, template_fields=["object", "image_url"])
    fund(project.owner, "100")
    preview = _preview(
        admin_client, project, (DEMO / "image_contains.csv").read_bytes(), payment_per_result="0.50"
    )
    form = preview.context["form"]
    assert form["payment_per_result"].value() == Decimal("0.50")
    # when it is created and published
    admin_client.post(
        UPLOAD, {**{name: form[name].value() for name in form.fields}, "name": "Paid", "confirm": "publish"}
    )
    # then the campaign pays 0.50 per result and its budget is frozen
    campaign = Campaign.objects.get()
    assert (campaign.state, campaign.payment_per_result) == (CampaignState.ACTIVE, Decimal("0.50"))
    assert campaign.frozen_amount > 0


def test_cancelling_campaigns_asks_first_and_only_the_confirmation_cancels(admin_client):
    # given an active campaign, when the cancel action is chosen
    campaign = CampaignFactory(state=CampaignState.ACTIVE)
    chosen = {"action": "campaign_cancel", "_selected_action": [campaign.pk]}
    asked = admin_client.post(CHANGELIST, chosen)
    # then the admin is asked to confirm, naming the campaign, and nothing has changed yet
    assert asked.status_code == 200
    assert "Yes, cancel 1 campaign" in asked.content.decode() and str(campaign) in asked.content.decode()
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.ACTIVE
    # when the confirmation is sent, then the campaign is cancelled
    admin_client.post(CHANGELIST, {**chosen, "post": "yes"})
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CANCELLED
