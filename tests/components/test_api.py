"""Screens, jobs and the jobs of a campaign in the native API."""

import pytest

from campaigns.models import Campaign, CampaignState
from projects.models import Job, JobScreen, Screen, ScreenMedia
from tasks.models import Task
from tests.conftest import token_client
from tests.factories import RequesterFactory

from .conftest import FIRST, SECOND, job_campaign, make_job


def tables():
    return (
        list(Screen.objects.order_by("pk").values()),
        list(Job.objects.order_by("pk").values()),
        list(JobScreen.objects.order_by("pk").values()),
        list(ScreenMedia.objects.order_by("pk").values()),
    )


def test_a_screen_is_created_read_and_changed(requester_client):
    response = requester_client.post("/api/v1/screens/", {"name": "One", "components": FIRST}, format="json")
    assert response.status_code == 201
    screen = response.json()["data"]
    assert screen["components"] == FIRST and screen["read_only"] is False and screen["archived"] is False
    changed = requester_client.patch(
        f"/api/v1/screens/{screen['id']}/", {"components": SECOND, "properties": {"k": "v"}}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["data"]["components"] == SECOND
    assert changed.json()["data"]["properties"] == {"k": "v"}
    listed = requester_client.get("/api/v1/screens/").json()["data"]["results"]
    assert [s["id"] for s in listed] == [screen["id"]]


@pytest.mark.parametrize(
    "components, code, field, index, attribute",
    [
        ([FIRST[0], {"type": "Rating", "steps": 0}], "out-of-range", "components[1].steps", 1, "steps"),
        ([{"type": "Carousel"}], "unknown-type", "components[0].type", 0, "type"),
        ([FIRST[0], FIRST[1], {"type": "Toggle"}], "missing-attribute", "components[2].label", 2, "label"),
        ([{"type": "Image", "url": "x", "alt": "?"}], "unknown-attribute", "components[0].alt", 0, "alt"),
        ([{"type": "Stepper", "min": 5, "max": 1}], "invalid-range", "components[0].min", 0, "min"),
    ],
)
def test_a_bad_screen_is_refused_with_the_component_at_fault_and_nothing_is_saved(
    requester_client, components, code, field, index, attribute
):
    existing = requester_client.post("/api/v1/screens/", {"name": "Kept", "components": FIRST}, format="json")
    before = tables()
    for response in (
        requester_client.post("/api/v1/screens/", {"name": "Bad", "components": components}, format="json"),
        requester_client.patch(
            f"/api/v1/screens/{existing.json()['data']['id']}/", {"components": components}, format="json"
        ),
    ):
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert (error["code"], error["field"], error["index"], error["attribute"]) == (
            code,
            field,
            index,
            attribute,
        )
    assert tables() == before


def test_other_requesters_and_workers_cannot_see_or_change_a_screen(requester, worker_client):
    screen = make_job(requester).screens.first()
    other = token_client(RequesterFactory())
    before = tables()
    assert other.get(f"/api/v1/screens/{screen.pk}/").status_code == 404
    assert other.patch(f"/api/v1/screens/{screen.pk}/", {"name": "x"}, format="json").status_code == 404
    assert other.delete(f"/api/v1/screens/{screen.pk}/").status_code == 404
    assert other.post(f"/api/v1/screens/{screen.pk}/copy/").status_code == 404
    assert worker_client.get("/api/v1/screens/").status_code == 403
    assert tables() == before


def test_jobs_hold_screens_in_order_and_a_screen_in_use_is_not_deleted(requester, requester_client):
    one = requester_client.post("/api/v1/screens/", {"name": "1", "components": FIRST}, format="json").json()[
        "data"
    ]
    two = requester_client.post(
        "/api/v1/screens/", {"name": "2", "components": SECOND}, format="json"
    ).json()["data"]
    job = requester_client.post(
        "/api/v1/jobs/",
        {"name": "J", "description": "d", "screens": [two["id"], one["id"], two["id"]]},
        format="json",
    ).json()["data"]
    assert job["screens"] == [two["id"], one["id"], two["id"]]
    screens = requester_client.get(f"/api/v1/jobs/{job['id']}/screens/").json()["data"]
    assert [s["id"] for s in screens] == [two["id"], one["id"], two["id"]]
    put = requester_client.put(f"/api/v1/jobs/{job['id']}/screens/", [one["id"]], format="json")
    assert [s["id"] for s in put.json()["data"]] == [one["id"]]
    assert requester_client.delete(f"/api/v1/screens/{one['id']}/").status_code == 409
    assert requester_client.delete(f"/api/v1/screens/{two['id']}/").status_code == 204
    # a foreign screen cannot be put into a job
    foreign = make_job(RequesterFactory()).screens.first()
    response = requester_client.put(
        f"/api/v1/jobs/{job['id']}/screens/", {"screens": [foreign.pk]}, format="json"
    )
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "screens[0]"


def test_copy_is_shallow_or_deep_as_asked(requester, requester_client):
    job = make_job(requester)
    shallow = requester_client.post(f"/api/v1/jobs/{job.pk}/copy/?deep=false").json()["data"]
    deep = requester_client.post(f"/api/v1/jobs/{job.pk}/copy/?deep=true").json()["data"]
    original = [js.screen_id for js in job.job_screens.all()]
    assert shallow["screens"] == original
    assert not set(deep["screens"]) & set(original) and len(deep["screens"]) == 2
    assert (
        Screen.objects.get(pk=deep["screens"][0]).components == Screen.objects.get(pk=original[0]).components
    )
    screen = requester_client.post(f"/api/v1/screens/{original[0]}/copy/").json()["data"]
    assert screen["id"] not in original and screen["components"] == FIRST
    assert requester_client.post(f"/api/v1/jobs/{job.pk}/copy/?deep=maybe").status_code == 400


def test_archive_deep_and_unarchive(requester, requester_client):
    job = make_job(requester)
    screens = [js.screen_id for js in job.job_screens.all()]
    requester_client.post(f"/api/v1/jobs/{job.pk}/archive/")
    assert (
        Job.objects.get(pk=job.pk).archived
        and not Screen.objects.filter(pk__in=screens, archived=True).exists()
    )
    requester_client.post(f"/api/v1/jobs/{job.pk}/archive/?deep=true")
    assert Screen.objects.filter(pk__in=screens, archived=True).count() == 2
    data = requester_client.post(f"/api/v1/jobs/{job.pk}/unarchive/").json()["data"]
    assert data["archived"] is False and not Screen.objects.filter(pk__in=screens, archived=True).exists()


def test_a_published_job_and_its_screens_are_read_only(requester, requester_client):
    campaign = job_campaign(requester)
    job = Task.objects.get(campaign=campaign).job
    screen = job.job_screens.first().screen
    before = tables()
    assert requester_client.get(f"/api/v1/jobs/{job.pk}/").json()["data"]["read_only"] is True
    assert requester_client.get(f"/api/v1/screens/{screen.pk}/").json()["data"]["read_only"] is True
    response = requester_client.patch(f"/api/v1/screens/{screen.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "read-only"
    assert requester_client.patch(f"/api/v1/jobs/{job.pk}/", {"name": "x"}, format="json").status_code == 409
    assert requester_client.delete(f"/api/v1/jobs/{job.pk}/").status_code == 409
    assert tables() == before


def test_jobs_of_a_campaign(requester, requester_client):
    campaign = job_campaign(requester, publish=False, jobs=1)
    first = Task.objects.get(campaign=campaign).job
    second, third = make_job(requester), make_job(requester)
    url = f"/api/v1/campaigns/{campaign.pk}/jobs/"
    assert [j["id"] for j in requester_client.get(url).json()["data"]] == [first.pk]
    added = requester_client.post(url, {"jobs": [second.pk]}, format="json").json()["data"]
    assert [j["id"] for j in added] == [first.pk, second.pk]
    replaced = requester_client.put(url, [third.pk, first.pk], format="json").json()["data"]
    assert [j["id"] for j in replaced] == [third.pk, first.pk]
    # a refused change changes nothing
    before = list(Task.objects.filter(campaign=campaign).values())
    response = requester_client.post(url, {"jobs": [third.pk, 999999]}, format="json")
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "jobs[1]"
    assert list(Task.objects.filter(campaign=campaign).values()) == before
    # and another requester sees nothing of it
    assert token_client(RequesterFactory()).get(url).status_code == 404


def test_campaign_copy_and_deep_archive(requester, requester_client):
    campaign = job_campaign(requester, jobs=2, publish=False)
    jobs = list(Task.objects.filter(campaign=campaign).order_by("position").values_list("job_id", flat=True))
    shallow = requester_client.post(f"/api/v1/campaigns/{campaign.pk}/copy/").json()["data"]
    deep = requester_client.post(f"/api/v1/campaigns/{campaign.pk}/copy/?deep=true").json()["data"]
    assert shallow["state"] == "unpublished"
    assert (
        list(
            Task.objects.filter(campaign_id=shallow["id"])
            .order_by("position")
            .values_list("job_id", flat=True)
        )
        == jobs
    )
    deep_jobs = list(Task.objects.filter(campaign_id=deep["id"]).values_list("job_id", flat=True))
    assert len(deep_jobs) == 2 and not set(deep_jobs) & set(jobs)
    # archiving deep archives the jobs and their screens; unarchiving brings all back, to the old state
    archived = requester_client.post(f"/api/v1/campaigns/{campaign.pk}/archive/?deep=true").json()["data"]
    assert archived["state"] == "archived"
    assert Job.objects.filter(pk__in=jobs, archived=True).count() == 2
    assert Screen.objects.filter(job_screens__job__in=jobs, archived=False).count() == 0
    back = requester_client.post(f"/api/v1/campaigns/{campaign.pk}/unarchive/").json()["data"]
    assert back["state"] == "unpublished"
    assert Job.objects.filter(pk__in=jobs, archived=True).count() == 0
    assert Screen.objects.filter(job_screens__job__in=jobs, archived=True).count() == 0


def test_unarchive_returns_a_cancelled_campaign_to_cancelled(requester, requester_client):
    campaign = job_campaign(requester)
    requester_client.post(f"/api/v1/campaigns/{campaign.pk}/cancel/")
    requester_client.post(f"/api/v1/campaigns/{campaign.pk}/archive/")
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.ARCHIVED
    assert (
        requester_client.post(f"/api/v1/campaigns/{campaign.pk}/unarchive/").json()["data"]["state"]
        == "cancelled"
    )


def test_markdown_preview_renders_media_and_removes_scripts(requester_client, anon_client):
    text = (
        "# Feedback\n\n**Well** done ![clip](https://example.org/a.mp3) ![film](/api/v1/media/abcdefghijklmnopq/x.webm)"
        " ![pic](https://example.org/p.png)\n\n"
        "[![video](https://img.youtube.com/vi/abc/0.jpg)](https://www.youtube.com/watch?v=abc)\n\n"
        "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    response = requester_client.post("/api/v1/preview/markdown/", {"text": text}, format="json")
    html = response.json()["data"]["html"]
    assert "<h1>Feedback</h1>" in html and "<strong>Well</strong>" in html
    assert '<audio controls="" preload="metadata" src="https://example.org/a.mp3">' in html
    assert "<video" in html and 'src="/api/v1/media/abcdefghijklmnopq/x.webm"' in html
    assert '<img alt="pic" src="https://example.org/p.png">' in html
    assert 'href="https://www.youtube.com/watch?v=abc"' in html and "img.youtube.com/vi/abc/0.jpg" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert anon_client.post("/api/v1/preview/markdown/", {"text": "x"}, format="json").status_code in (
        401,
        403,
    )


def test_the_schema_describes_screens_jobs_media_and_preview(requester_client):
    paths = requester_client.get("/api/v1/schema/?format=json").json()["paths"]
    for path in (
        "/api/v1/screens/",
        "/api/v1/screens/{id}/copy/",
        "/api/v1/jobs/{id}/screens/",
        "/api/v1/jobs/{id}/archive/",
        "/api/v1/campaigns/{id}/jobs/",
        "/api/v1/campaigns/{id}/copy/",
        "/api/v1/campaigns/{id}/unarchive/",
        "/api/v1/media/",
        "/api/v1/work/assignments/{assignment_id}/media/",
        "/api/v1/preview/markdown/",
    ):
        assert any(p.rstrip("/") == path.rstrip("/") for p in paths), path


def test_a_worker_reads_the_screens_of_their_own_job_only(requester, worker, worker_client):
    from tasks.services import task_claim_next

    campaign = job_campaign(requester, results_per_task=2)
    job = Task.objects.get(campaign=campaign).job
    assignment = task_claim_next(campaign_id=campaign.pk, worker=worker)
    data = worker_client.get(f"/api/v1/work/assignments/{assignment.pk}/job/").json()["data"]
    assert data["id"] == job.pk and [s["components"] for s in data["screens"]] == [FIRST, SECOND]
    assert (
        token_client(RequesterFactory()).get(f"/api/v1/work/assignments/{assignment.pk}/job/").status_code
        == 404
    )


def test_copying_a_template_campaign_copies_its_tasks_inputs(requester, requester_client):
    from tests.factories import CampaignFactory, TaskFactory

    campaign = CampaignFactory(project__owner=requester, state=CampaignState.FINISHED, results_per_task=2)
    for n in range(3):
        TaskFactory(campaign=campaign, position=n + 1, input={"text": f"t{n}"})
    copy = requester_client.post(f"/api/v1/campaigns/{campaign.pk}/copy/").json()["data"]
    assert copy["state"] == "unpublished" and copy["id"] != campaign.pk
    copied = Task.objects.filter(campaign_id=copy["id"]).order_by("position")
    assert [(t.position, t.input, t.results_needed, t.job_id) for t in copied] == [
        (1, {"text": "t0"}, 2, None),
        (2, {"text": "t1"}, 2, None),
        (3, {"text": "t2"}, 2, None),
    ]
    assert Campaign.objects.get(pk=copy["id"]).tasks_count == 3
