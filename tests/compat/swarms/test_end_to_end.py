"""A client script against the Swarms API behind a path prefix (the app mounted under /prefix/): every URL is
base_url + an href the server gave, as the Swarms SDK builds them. The worker does the job through the
native worker API, and the worker's balance is checked there too."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.services import api_token_create
from tests.components.conftest import png_bytes

from .conftest import CAMPAIGN, Swarms, swarms_error


def test_a_requester_script_from_token_to_approval_behind_a_prefix(requester, worker):
    swarms = Swarms(prefix="/prefix")
    assert swarms.base_url == "http://testserver/prefix/swarms"
    # a token
    token = swarms.login(requester.email)
    # an image, uploaded, its URL used in a task's components
    uploaded = swarms.call(
        "post", "/upload", raw={"file": SimpleUploadedFile("cat.png", png_bytes(), "image/png")}
    )
    assert uploaded.status_code == 201
    image_url = uploaded.json()
    task = swarms.post(
        "/tasks",
        {
            "name": "Is there a cat?",
            "components": [
                {"type": "Image", "url": image_url},
                {"type": "BinaryChoice", "option1": "Yes", "option2": "No"},
            ],
        },
    ).json()
    # a job with that task, through the job's tasks link
    job = swarms.post("/jobs", {"name": "Cats", "description": "Look closely"}).json()
    assert swarms.put(job["_links"]["tasks"]["href"], [task["id"]]).status_code == 200
    # a campaign with that job, published through its links
    campaign = swarms.post("/campaigns", {**CAMPAIGN, "results": 1}).json()
    assert set(campaign["_links"]) >= {"self", "jobs", "publish", "copy", "archive"}
    assert swarms.post(campaign["_links"]["jobs"]["href"], [job["id"]]).status_code == 200
    published = swarms.post(campaign["_links"]["publish"]["href"]).json()
    assert published["state"] == "active" and "publish" not in published["_links"]

    # a worker does the job through the native worker API
    _, worker_key = api_token_create(user=worker, name="worker")
    native = APIClient()
    native.credentials(HTTP_AUTHORIZATION=f"Token {worker_key}")
    claimed = native.post(f"/api/v1/work/campaigns/{campaign['id']}/claim/").json()["data"]
    shown = native.get(f"/api/v1/work/assignments/{claimed['id']}/job/").json()["data"]
    [screen] = shown["screens"]
    assert screen["components"][0] == {"type": "Image", "url": image_url}
    answers = {
        "screens": [
            {
                "screen": screen["id"],
                "startedAt": "2030-01-01T10:00:00Z",
                "completedAt": "2030-01-01T10:00:09Z",
                "results": {"1": {"selectedOption": "Yes"}},
            }
        ]
    }
    submitted = native.post(
        f"/api/v1/work/assignments/{claimed['id']}/submit/", {"answers": answers}, format="json"
    )
    assert submitted.status_code == 200, submitted.content

    # results, through the campaign's results link; approval through the result's approve link
    results = swarms.get(published["_links"]["results"]["href"]).json()
    [result] = results["results"]
    assert result["state"] == "InReview" and result["worker"] == worker.pk
    assert result["taskResults"][0]["components"][0]["result"] == {"selectedOption": "Yes"}
    approved = swarms.post(result["_links"]["approve"]["href"], {"message": "Well done!"}).json()
    assert approved["state"] == "Approved" and "approve" not in approved["_links"]
    # the one result wanted is in: the campaign's money is spent, the worker paid
    balance = native.get("/api/v1/me/").json()["data"]["balance"]
    assert Decimal(balance["available"]) == Decimal("0.50")
    assert swarms.get("/me").json()["balance"]["available"].startswith("99.4 ")
    # the token discarded, it no longer works
    assert swarms.post("/auth/token/discard").status_code == 204
    swarms_error(swarms.get(campaign["_links"]["self"]["href"]), 401, 1001)
    assert token
