"""The admin's add and upload go through the engine's services, as the APIs do: the same worker lists, the
same ``restricted`` flag, the same budget; and a publish the wallet cannot fund keeps the upload."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import LedgerEntry, Wallet
from accounts.wallets import wallet_set_commission_rate
from campaigns import services
from campaigns.admin import upload
from campaigns.models import Campaign, CampaignState
from tests.factories import CampaignFactory, GroupFactory, ProjectFactory, UserFactory
from tests.money.invariants import assert_money_invariants
from tests.money.scenario import fund

UPLOAD = reverse("admin:campaigns_campaign_upload")
ADD = reverse("admin:campaigns_campaign_add")


def _preview(admin_client, project, rows: int = 3, **extra):
    content = ("text\n" + "".join(f"row {i}\n" for i in range(rows))).encode()
    upload = SimpleUploadedFile("batch.csv", content, content_type="text/csv")
    return admin_client.post(UPLOAD, {"project": project.pk, "csv_file": upload, "name": "", **extra})


def _confirm(admin_client, preview, button: str, **changes):
    form = preview.context["form"]
    return admin_client.post(
        UPLOAD, {**{name: form[name].value() for name in form.fields}, **changes, "confirm": button}
    )


def _spy(monkeypatch, name: str) -> list[dict]:
    """Record the calls of a campaign service (and let them through); the upload's service lives in
    ``tasks.ingest`` and the admin calls it by that name."""
    owner = upload if name == "campaign_create_with_csv" else services
    calls, real = [], getattr(owner, name)

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


def _restricted_project():
    worker, group = UserFactory(), GroupFactory()
    project = ProjectFactory(restricted=True)
    project.worker_users.add(worker)
    project.worker_groups.add(group)
    return project, worker, group


def test_an_uploaded_batch_of_a_restricted_project_is_restricted_to_its_workers_as_through_the_api(
    admin_client, monkeypatch
):
    # given a restricted project that lists a worker and a group
    project, worker, group = _restricted_project()
    created = _spy(monkeypatch, "campaign_create_with_csv")
    preview = _preview(admin_client, project)

    # when the admin creates a campaign from the upload
    response = _confirm(admin_client, preview, "publish")

    # then it is restricted to the project's workers, as a Turkle batch upload is
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert campaign.restricted is True
    assert list(campaign.worker_users.all()) == [worker]
    assert list(campaign.worker_groups.all()) == [group]
    # through the service the Turkle API's batch upload calls
    assert [c["publish"] for c in created] == [True]


def test_an_uploaded_batch_of_an_open_project_is_open(admin_client):
    # given an open project, when a batch is uploaded and left unpublished
    preview = _preview(admin_client, ProjectFactory(restricted=False))
    _confirm(admin_client, preview, "unpublished")

    # then the campaign is open and unpublished, with its three tasks
    campaign = Campaign.objects.get()
    assert (campaign.restricted, campaign.state, campaign.tasks_count) == (
        False,
        CampaignState.UNPUBLISHED,
        3,
    )
    assert not campaign.worker_users.exists() and not campaign.worker_groups.exists()


def test_the_preview_prices_the_batch_from_the_owners_wallet(admin_client):
    # given an owner with 5.00 and a 10% commission
    owner = UserFactory(username="ada")
    fund(owner, "5.00")
    wallet_set_commission_rate(user=owner, rate=Decimal("0.10"))
    project = ProjectFactory(owner=owner)

    # when a 3-row batch paying 1.00 for 2 results per task is previewed
    preview = _preview(admin_client, project, results_per_task=2, payment_per_result="1.00")

    # then it costs 6.00 in payments and 0.60 in commission, from ada's wallet, 1.60 short
    quote = preview.context["quote"]
    assert (quote.payments, quote.commission, quote.total) == (
        Decimal("6.00"),
        Decimal("0.60"),
        Decimal("6.60"),
    )
    assert preview.context["wallet"].user == owner
    assert preview.context["short"] == Decimal("1.60")
    page = preview.content.decode()
    assert 'id="cost-total">6.60<' in page and "wallet of <strong>ada</strong>" in page


def test_changed_terms_are_priced_again_on_the_same_upload(admin_client):
    # given a previewed 3-row batch at 0.00
    owner = UserFactory()
    wallet_set_commission_rate(user=owner, rate=Decimal("0.20"))
    preview = _preview(admin_client, ProjectFactory(owner=owner))
    form = preview.context["form"]

    # when the admin sets 0.50 per result and asks for the cost again
    again = admin_client.post(
        UPLOAD, {**{n: form[n].value() for n in form.fields}, "payment_per_result": "0.50", "quote": "1"}
    )

    # then the same upload is shown with the new cost: 0.50 × 1 × 3 + 20%
    assert again.status_code == 200
    assert again.context["form"]["upload"].value() == form["upload"].value()
    assert again.context["quote"].total == Decimal("1.80")
    assert Campaign.objects.count() == 0


def test_a_publish_the_wallet_cannot_fund_creates_nothing_keeps_the_upload_and_says_how_to_fund(
    admin_client, media_root
):
    # given an owner with 1.00 and a batch that would freeze 3.00
    owner = UserFactory(username="ada")
    fund(owner, "1.00")
    wallet_set_commission_rate(user=owner, rate=Decimal("0"))
    preview = _preview(admin_client, ProjectFactory(owner=owner), payment_per_result="1.00")
    token = preview.context["form"]["upload"].value()
    entries = LedgerEntry.objects.count()

    # when the admin creates and publishes it
    refused = _confirm(admin_client, preview, "publish")

    # then nothing is created or moved, the page says whose wallet and links to funding it
    assert refused.status_code == 200
    assert Campaign.objects.count() == 0
    assert LedgerEntry.objects.count() == entries
    page = refused.content.decode()
    wallet = Wallet.objects.get(user=owner)
    assert 'id="publish-refused"' in page and "the wallet of <strong>ada</strong>" in page
    assert reverse("admin:accounts_wallet_move", args=[wallet.pk]) in page
    assert "Deposit at least 2.00" in page
    # and the upload is kept: after a deposit the same confirmation publishes
    assert (media_root / "admin-uploads" / f"{token}.csv").exists()
    fund(owner, "2.00", key="top-up")
    done = _confirm(admin_client, preview, "publish")
    campaign = Campaign.objects.get()
    assert done.status_code == 302
    assert (campaign.state, campaign.frozen_amount) == (CampaignState.ACTIVE, Decimal("3.00"))
    assert_money_invariants()


def test_the_add_form_creates_through_the_service_with_the_projects_defaults_and_worker_lists(
    admin_client, superuser, monkeypatch
):
    # given a project with its defaults, a worker and a group
    created, listed = _spy(monkeypatch, "campaign_create"), _spy(monkeypatch, "campaign_workers_set")
    project = ProjectFactory(default_results_per_task=3, default_time_allowed_s=900)
    worker, group = UserFactory(), GroupFactory()

    # when the admin adds a restricted campaign for them
    response = admin_client.post(
        ADD,
        {
            "project": project.pk,
            "name": "By hand",
            "results_per_task": 3,
            "time_allowed_s": 900,
            "payment_per_result": "0.00",
            "review_window_s": 0,
            "restricted": "on",
            "worker_users": [worker.pk],
            "worker_groups": [group.pk],
            "filename": "",
        },
    )

    # then it exists, unpublished, made by the admin, restricted to the lists
    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.state, campaign.created_by) == (
        "By hand",
        CampaignState.UNPUBLISHED,
        superuser,
    )
    assert campaign.restricted is True
    assert list(campaign.worker_users.all()) == [worker]
    assert list(campaign.worker_groups.all()) == [group]
    # and both were written by the services the APIs use
    assert [c["name"] for c in created] == ["By hand"]
    assert [(c["users"], c["groups"]) for c in listed] == [([worker], [group])]


def test_the_add_form_refuses_worker_lists_on_an_open_campaign(admin_client):
    # given a worker listed on a campaign whose "restricted" is not ticked
    project = ProjectFactory()

    # when the admin adds it
    response = admin_client.post(
        ADD,
        {
            "project": project.pk,
            "name": "Open",
            "results_per_task": 1,
            "time_allowed_s": 60,
            "payment_per_result": "0.00",
            "review_window_s": 0,
            "worker_users": [UserFactory().pk],
        },
    )

    # then the form says so and nothing is created
    assert response.status_code == 200
    assert "restricted" in response.context["adminform"].form.errors
    assert Campaign.objects.count() == 0


def test_editing_worker_lists_goes_through_the_service(admin_client, monkeypatch):
    # given a restricted campaign listing one worker
    listed = _spy(monkeypatch, "campaign_workers_set")
    first, second = UserFactory(), UserFactory()
    campaign = CampaignFactory(state=CampaignState.UNPUBLISHED, restricted=True)
    campaign.worker_users.add(first)
    change = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(worker_users=[second.pk], worker_groups=[], restricted="on", project=campaign.project_id)
    data["start_at_0"] = data["start_at_1"] = data["end_at_0"] = data["end_at_1"] = ""
    data.pop("start_at", None), data.pop("end_at", None)
    data.pop("max_results_per_worker", None)

    # when the list is replaced
    response = admin_client.post(change, data)

    # then the campaign lists the second worker only and stays restricted
    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign.refresh_from_db()
    assert list(campaign.worker_users.all()) == [second]
    assert campaign.restricted is True
    assert [c["users"] for c in listed] == [[second]]


def test_terms_the_form_refuses_keep_the_upload_and_say_what_is_wrong(admin_client, media_root):
    # given a previewed upload
    preview = _preview(admin_client, ProjectFactory())
    token = preview.context["form"]["upload"].value()

    # when the admin asks for a negative payment and publishes
    response = _confirm(admin_client, preview, "publish", payment_per_result="-1")

    # then the preview comes back with the field's error, unpriced, the file kept and nothing created
    assert response.status_code == 200
    assert "payment_per_result" in response.context["form"].errors
    assert 'id="terms-refused"' in response.content.decode()
    assert Campaign.objects.count() == 0
    assert (media_root / "admin-uploads" / f"{token}.csv").exists()


def test_publishing_from_the_list_without_the_money_says_whose_wallet_and_where_to_fund_it(admin_client):
    # given an unpublished campaign of 3 tasks at 1.00, whose owner has nothing
    owner = UserFactory(username="ada")
    wallet_set_commission_rate(user=owner, rate=Decimal("0"))
    preview = _preview(admin_client, ProjectFactory(owner=owner), payment_per_result="1.00")
    _confirm(admin_client, preview, "unpublished")
    campaign = Campaign.objects.get()

    # when the admin publishes it from the list
    response = admin_client.post(
        reverse("admin:campaigns_campaign_changelist"),
        {"action": "campaign_publish", "_selected_action": [campaign.pk]},
        follow=True,
    )

    # then it stays unpublished and the message names ada's wallet, the amounts and links to funding it
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.UNPUBLISHED
    [message] = [str(m) for m in response.context["messages"] if "not published" in str(m)]
    wallet = Wallet.objects.get(user=owner)
    assert "The wallet of <strong>ada</strong> has 0.00 available and publishing needs 3.00" in message
    assert reverse("admin:accounts_wallet_move", args=[wallet.pk]) in message
