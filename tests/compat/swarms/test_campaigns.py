"""Campaign routes of seed 004: CRUD, copy, archive (deep), unarchive, jobs, lifecycle, and money."""

from decimal import Decimal

from accounts.models import Wallet
from campaigns.models import Campaign
from projects.models import Job

from .conftest import CAMPAIGN, TASK, swarms_error

SEED_CAMPAIGN_KEYS = {
    "name",
    "title",
    "description",
    "terms",
    "estDuration",
    "workerPayment",
    "results",
    "maxResultsPerWorker",
    "workerGroup",
    "maxWorkTime",
    "maxUploadTime",
    "maxReviewTime",
    "training",
    "startDate",
    "endDate",
    "properties",
    "state",
    "id",
    "readOnly",
    "lastModifiedAt",
    "createdAt",
    "archived",
}


def test_create_writes_every_seed_field_back_as_sent(api):
    # when a campaign is created with every field of the seed
    sent = {**CAMPAIGN, "startDate": "2030-01-01T10:00", "endDate": "2030-01-02T10:00"}
    response = api.post("/campaigns", sent)
    # then it is 201 and every field reads back the same way (durations in the seed's words)
    assert response.status_code == 201, response.content
    body = response.json()
    assert SEED_CAMPAIGN_KEYS <= set(body)
    for key, value in sent.items():
        assert body[key] == value, key
    assert body["state"] == "unpublished" and body["readOnly"] is False and body["archived"] is False
    assert isinstance(body["id"], int)
    assert len(body["createdAt"]) == 19 and body["createdAt"][10] == "T"
    campaign = Campaign.objects.get(pk=body["id"])
    assert (campaign.time_allowed_s, campaign.review_window_s, campaign.results_per_task) == (
        600,
        3 * 3600,
        2,
    )


def test_get_list_update_delete(api):
    pk = api.post("/campaigns", CAMPAIGN).json()["id"]
    assert api.get(f"/campaigns/{pk}").json()["title"] == "Find cats"
    page = api.get("/campaigns").json()
    assert [c["id"] for c in page["campaigns"]] == [pk] and "_links" in page
    updated = api.put(
        f"/campaigns/{pk}", {"title": "Find dogs", "maxReviewTime": "2 days", "workerPayment": 1}
    )
    assert updated.status_code == 200, updated.content
    assert (updated.json()["title"], updated.json()["maxReviewTime"], updated.json()["workerPayment"]) == (
        "Find dogs",
        "2 days",
        1.0,
    )
    # a fetched campaign can be sent back as it is
    again = api.put(f"/campaigns/{pk}", api.get(f"/campaigns/{pk}").json())
    assert again.status_code == 200, again.content
    assert api.delete(f"/campaigns/{pk}").status_code == 204
    swarms_error(api.get(f"/campaigns/{pk}"), 404, 1200)


def test_jobs_of_a_campaign_get_post_put(api):
    task = api.post("/tasks", TASK).json()["id"]
    jobs = []
    for name in ("a", "b"):
        job = api.post("/jobs", {"name": name}).json()["id"]
        api.put(f"/jobs/{job}/tasks", [task])
        jobs.append(job)
    pk = api.post("/campaigns", CAMPAIGN).json()["id"]
    added = api.post(f"/campaigns/{pk}/jobs", [jobs[0]])
    assert added.status_code == 200 and [j["id"] for j in added.json()["jobs"]] == [jobs[0]]
    replaced = api.put(f"/campaigns/{pk}/jobs", [jobs[1], jobs[0]])
    assert [j["id"] for j in replaced.json()["jobs"]] == [jobs[1], jobs[0]]
    assert [j["id"] for j in api.get(f"/campaigns/{pk}/jobs").json()["jobs"]] == [jobs[1], jobs[0]]


def test_lifecycle_with_the_seed_state_names_and_money(api, requester, make_campaign):
    wallet = Wallet.objects.get(user=requester)
    pk = make_campaign(publish=False)
    # publish freezes workerPayment x results x jobs plus the commission: 0.50 x 2 x 1 x 1.2
    published = api.post(f"/campaigns/{pk}/publish")
    assert published.json()["state"] == "active" and published.json()["readOnly"] is True
    wallet.refresh_from_db()
    assert (wallet.available, wallet.frozen) == (Decimal("98.80"), Decimal("1.20"))
    me = api.get("/me").json()
    assert me["balance"]["frozen"].startswith("1.2 ") and me["balance"]["available"].startswith("98.8 ")
    assert api.post(f"/campaigns/{pk}/pause").json()["state"] == "paused"
    assert (
        api.post(f"/campaigns/{pk}/continue", raw="", content_type="application/json").json()["state"]
        == "active"
    )
    # delete is refused while running, nothing changes
    swarms_error(api.delete(f"/campaigns/{pk}"), 409, 1300)
    assert api.post(f"/campaigns/{pk}/cancel").json()["state"] == "cancelled"
    wallet.refresh_from_db()
    assert (wallet.available, wallet.frozen) == (Decimal("100.00"), Decimal("0.00"))


def test_illegal_moves_are_409_and_change_nothing(api, make_campaign):
    pk = make_campaign(publish=False)
    for action in ("pause", "continue", "unarchive"):
        body = swarms_error(api.post(f"/campaigns/{pk}/{action}"), 409, 1300)
        assert body["error"] == "illegal-transition"
    assert api.get(f"/campaigns/{pk}").json()["state"] == "unpublished"


def test_publish_without_the_money_is_402_with_the_seed_body(api, make_campaign):
    pk = make_campaign(publish=False, workerPayment=100, results=5)
    body = swarms_error(api.post(f"/campaigns/{pk}/publish"), 402, 1400)
    assert body["message"] == "insufficient funds"
    assert api.get(f"/campaigns/{pk}").json()["state"] == "unpublished"


def test_copy_deep_and_archive_deep_and_unarchive(api, make_campaign):
    pk = make_campaign(publish=False)
    [job] = api.get(f"/campaigns/{pk}/jobs").json()["jobs"]
    shallow = api.post(f"/campaigns/{pk}/copy").json()
    assert shallow["state"] == "unpublished" and shallow["title"] == "Find cats" and shallow["id"] != pk
    assert [j["id"] for j in api.get(f"/campaigns/{shallow['id']}/jobs").json()["jobs"]] == [job["id"]]
    deep = api.post(f"/campaigns/{pk}/copy?deep=true").json()
    [copied] = api.get(f"/campaigns/{deep['id']}/jobs").json()["jobs"]
    assert copied["id"] != job["id"]
    archived = api.post(f"/campaigns/{pk}/archive?deep=true")
    assert archived.json()["archived"] is True and archived.json()["state"] == "unpublished"
    assert Job.objects.get(pk=job["id"]).archived
    back = api.post(f"/campaigns/{pk}/unarchive").json()
    assert back["archived"] is False and back["state"] == "unpublished"
    assert not Job.objects.get(pk=job["id"]).archived


def test_lists_are_keyset_pages_with_order_search_and_limit(api):
    ids = [api.post("/campaigns", {**CAMPAIGN, "name": f"Cats number {n}"}).json()["id"] for n in range(5)]
    api.post("/campaigns", {**CAMPAIGN, "name": "Dogs"})
    first = api.get("/campaigns", {"limit": 2, "search": "Cats"}).json()
    assert [c["id"] for c in first["campaigns"]] == ids[:2]
    assert "previous" not in first["_links"]
    second = api.get(first["_links"]["next"]["href"]).json()
    assert [c["id"] for c in second["campaigns"]] == ids[2:4]
    back = api.get(second["_links"]["previous"]["href"]).json()
    assert [c["id"] for c in back["campaigns"]] == ids[:2]
    by_name = api.get("/campaigns", {"order": "-name", "limit": 3}).json()
    assert [c["name"] for c in by_name["campaigns"]] == ["Dogs", "Cats number 4", "Cats number 3"]
    following = api.get(by_name["_links"]["next"]["href"]).json()
    assert [c["name"] for c in following["campaigns"]] == ["Cats number 2", "Cats number 1", "Cats number 0"]
    assert "after=" in by_name["_links"]["next"]["href"] and "OFFSET" not in str(by_name)


def test_queries_per_page_do_not_grow_with_the_page(api):
    first = [api.post("/campaigns", {**CAMPAIGN, "name": f"c{n}"}).json()["id"] for n in range(3)][0]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        api.get("/campaigns", {"limit": 1})
    for n in range(20):
        api.post("/campaigns", {**CAMPAIGN, "name": f"d{n}"})
    with CaptureQueriesContext(connection) as large:
        page = api.get("/campaigns", {"limit": 20, "after": first}).json()
    assert len(page["campaigns"]) == 20
    assert len(large) == len(small) + 1  # the cursor's row
    assert not any("OFFSET" in q["sql"] for q in large.captured_queries)


def test_worker_group_restricts_and_null_opens_again(api):
    from tests.factories import GroupFactory

    group = GroupFactory()
    pk = api.post("/campaigns", {**CAMPAIGN, "workerGroup": group.pk}).json()["id"]
    campaign = Campaign.objects.get(pk=pk)
    assert campaign.restricted and list(campaign.worker_groups.all()) == [group]
    assert api.get(f"/campaigns/{pk}").json()["workerGroup"] == group.pk
    assert api.put(f"/campaigns/{pk}", {"workerGroup": None}).json()["workerGroup"] is None
    campaign.refresh_from_db()
    assert not campaign.restricted and not campaign.worker_groups.exists()
    # a campaign with no group sent back with workerGroup null stays open
    other = api.post("/campaigns", {**CAMPAIGN, "workerGroup": None}).json()["id"]
    assert not Campaign.objects.get(pk=other).restricted
