"""Access (another requester's objects are 404) and bad input (a 4xx Swarms body, nothing written)."""

import pytest

from campaigns.models import Campaign
from compat.swarms.models import CampaignText
from projects.models import Job, Screen

from .conftest import CAMPAIGN, TASK, Swarms, do_job, swarms_error


@pytest.fixture
def other(other_requester):
    client = Swarms()
    client.login(other_requester.email)
    return client


def test_requester_b_gets_404_on_every_object_of_a(api, other, make_campaign, worker):
    pk = make_campaign()
    [job] = api.get(f"/campaigns/{pk}/jobs").json()["jobs"]
    [task] = api.get(f"/jobs/{job['id']}/tasks").json()["tasks"]
    result = do_job(pk, worker)
    j, t, r = job["id"], task["id"], result.pk
    calls = [
        ("get", f"/campaigns/{pk}"),
        ("put", f"/campaigns/{pk}"),
        ("delete", f"/campaigns/{pk}"),
        ("get", f"/campaigns/{pk}/jobs"),
        ("post", f"/campaigns/{pk}/jobs"),
        ("put", f"/campaigns/{pk}/jobs"),
        *[
            ("post", f"/campaigns/{pk}/{a}")
            for a in ("copy", "archive", "unarchive", "publish", "pause", "continue", "cancel")
        ],
        ("get", f"/campaigns/{pk}/results"),
        ("get", f"/campaigns/{pk}/workers"),
        ("get", f"/campaigns/{pk}/workers/{worker.pk}/results"),
        ("post", f"/campaigns/{pk}/results/approve-all"),
        ("post", f"/campaigns/{pk}/workers/{worker.pk}/approve-all"),
        ("get", f"/jobs/{j}"),
        ("put", f"/jobs/{j}"),
        ("delete", f"/jobs/{j}"),
        ("get", f"/jobs/{j}/tasks"),
        ("post", f"/jobs/{j}/tasks"),
        ("put", f"/jobs/{j}/tasks"),
        *[("post", f"/jobs/{j}/{a}") for a in ("copy", "archive", "unarchive")],
        ("get", f"/tasks/{t}"),
        ("put", f"/tasks/{t}"),
        ("delete", f"/tasks/{t}"),
        *[("post", f"/tasks/{t}/{a}") for a in ("copy", "archive", "unarchive")],
        ("get", f"/results/{r}"),
        *[("post", f"/results/{r}/{a}") for a in ("approve", "reject", "soft-reject")],
    ]
    for method, href in calls:
        body = (
            [j]
            if href.endswith("/jobs")
            else [t]
            if href.endswith("/tasks")
            else {"name": "x", "reason": "x"}
        )
        response = other.call(method, href, body) if method != "get" else other.get(href)
        swarms_error(response, 404, 1200)
    # and B's lists hold none of A's objects
    for key in ("campaigns", "jobs", "tasks"):
        assert other.get(f"/{key}").json()[key] == []
    assert Campaign.objects.get(pk=pk).state == "active" and Campaign.objects.count() == 1


def _nothing_written(before):
    assert (
        Campaign.objects.count(),
        CampaignText.objects.count(),
        Screen.objects.count(),
        Job.objects.count(),
    ) == before


def _counts():
    return Campaign.objects.count(), CampaignText.objects.count(), Screen.objects.count(), Job.objects.count()


@pytest.mark.parametrize(
    "components, error",
    [
        ([{"type": "Telepathy"}], "unknown-type"),
        ([{"type": "BinaryChoice", "option1": "Yes"}], "missing-attribute"),
        ([{"type": "Rating", "steps": 0}], "out-of-range"),
        ("not a list", None),
    ],
)
def test_a_wrong_component_is_400_and_nothing_is_written(api, components, error):
    before = _counts()
    body = swarms_error(api.post("/tasks", {**TASK, "components": components}), 400)
    assert body["code"] in {1103, 1100}
    if error:
        assert body["code"] == 1103 and body["error"] == error and body["field"].startswith("components[0]")
    _nothing_written(before)


@pytest.mark.parametrize("field", ["estDuration", "maxWorkTime", "maxUploadTime", "maxReviewTime"])
@pytest.mark.parametrize("value", ["3 fortnights", "hours", "3", 10, "-1 hours"])
def test_a_wrong_duration_string_is_400_and_nothing_is_written(api, field, value):
    before = _counts()
    body = swarms_error(api.post("/campaigns", {**CAMPAIGN, field: value}), 400, 1104)
    assert body["field"] == field
    _nothing_written(before)


def test_a_wrong_duration_in_an_update_changes_nothing(api):
    pk = api.post("/campaigns", CAMPAIGN).json()["id"]
    swarms_error(api.put(f"/campaigns/{pk}", {"title": "new", "maxWorkTime": "ages"}), 400, 1104)
    assert api.get(f"/campaigns/{pk}").json()["title"] == "Find cats"


def test_unknown_state_filter_and_limit_out_of_range_and_bad_cursor(api, make_campaign):
    pk = make_campaign()
    body = swarms_error(api.get(f"/campaigns/{pk}/results", {"state": "Pending"}), 400, 1105)
    assert body["field"] == "state"
    for limit in ("0", "101", "ten", "-1"):
        assert swarms_error(api.get("/campaigns", {"limit": limit}), 400, 1105)["field"] == "limit"
    swarms_error(api.get("/campaigns", {"order": "price"}), 400, 1105)
    swarms_error(api.get("/campaigns", {"after": "x"}), 400, 1105)
    swarms_error(api.get(f"/campaigns/{pk}/results", {"since": "yesterday"}), 400, 1105)
    swarms_error(api.get(f"/campaigns/{pk}/workers", {"InReview": "maybe"}), 400, 1105)


@pytest.mark.parametrize(
    "method, href",
    [
        ("get", "/campaigns/abc"),
        ("put", "/tasks/1.5"),
        ("post", "/campaigns/x/publish"),
        ("get", "/results/-3"),
        ("post", "/jobs/one/copy"),
    ],
)
def test_a_non_integer_id_is_400(api, method, href):
    before = _counts()
    body = swarms_error(
        api.call(method, href, {"name": "x"}) if method != "get" else api.get(href), 400, 1102
    )
    assert body["error"] == "invalid-id"
    _nothing_written(before)


def test_other_bad_campaign_fields(api):
    before = _counts()
    for sent, field in (
        ({"workerPayment": 0.001}, "workerPayment"),
        ({"workerPayment": "lots"}, "workerPayment"),
        ({"results": 0}, "results"),
        ({"results": "2"}, "results"),
        ({"startDate": "soon"}, "startDate"),
        ({"workerGroup": 999999}, "workerGroup"),
        ({"colour": "red"}, "colour"),
        ({"name": ""}, "name"),
    ):
        body = swarms_error(api.post("/campaigns", {**CAMPAIGN, **sent}), 400)
        assert body["field"] == field, (sent, body)
    swarms_error(api.post("/campaigns", "not an object"), 400, 1100)
    swarms_error(api.call("post", "/campaigns", raw="{not json", content_type="application/json"), 400, 1100)
    _nothing_written(before)
