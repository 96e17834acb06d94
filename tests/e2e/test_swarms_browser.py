"""A requester's Swarms script and a worker in the browser, against a live server that mounts the platform
under a path prefix (``/prefix/``, as behind a proxy): every API URL is ``base_url + href`` with hrefs
followed from ``_links``, as the Swarms SDK builds them; the worker does the job in the worker pages."""

from decimal import Decimal

import pytest
import requests

from accounts.services import api_token_create
from accounts.wallets import wallet_deposit
from tests.compat.swarms.conftest import CAMPAIGN
from tests.components.conftest import png_bytes
from tests.factories import RequesterFactory
from tests.prefixed_server import PREFIX, serve_under_prefix

from .test_worker_browser import log_in, next_assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class SwarmsScript:
    """What a client script does: ``base_url`` ends with the mount, every call is ``base_url + href``."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Accept"] = "application/hal+json"

    def call(self, method: str, href: str, body=None, **kwargs) -> requests.Response:
        if "files" not in kwargs:
            kwargs["json"] = body
        return self.http.request(method, self.base_url + href, timeout=30, **kwargs)

    def ok(self, method: str, href: str, body=None, status: int = 200, **kwargs) -> dict:
        response = self.call(method, href, body, **kwargs)
        assert response.status_code == status, (href, response.status_code, response.text)
        return response.json()


@pytest.fixture
def live(transactional_db, settings):
    # What CROWD_PATH_PREFIX=/prefix sets (crowdplatform.settings.base)
    settings.FORCE_SCRIPT_NAME, settings.STATIC_URL = PREFIX, f"{PREFIX}/static/"
    with serve_under_prefix() as base_url:
        yield base_url


def test_a_swarms_script_and_a_worker_in_the_browser_behind_a_prefix(live, page, worker):
    requester = RequesterFactory()
    wallet_deposit(user=requester, amount="10.00", reason="test", idempotency_key="e2e-swarms")
    swarms = SwarmsScript(f"{live}/swarms")

    # given a token
    token = swarms.ok("post", "/auth/token/request", {"email": requester.email, "password": "correct-horse"})
    swarms.http.headers["X-Auth-Token"] = token["accessToken"]
    # and an image, uploaded; its URL carries the prefix
    image_url = swarms.ok(
        "post", "/upload", files={"file": ("cat.png", png_bytes(), "image/png")}, status=201
    )
    assert image_url.startswith("/prefix/api/v1/media/")
    # and a task showing it, a job with that task, a campaign with that job, published: through the links
    task = swarms.ok(
        "post",
        "/tasks",
        {
            "name": "Is there a cat?",
            "components": [
                {"type": "Image", "url": image_url},
                {"type": "BinaryChoice", "option1": "Yes", "option2": "No"},
            ],
        },
        status=201,
    )
    job = swarms.ok("post", "/jobs", {"name": "Cats", "description": "Look closely"}, status=201)
    swarms.ok("put", job["_links"]["tasks"]["href"], [task["id"]])
    campaign = swarms.ok("post", "/campaigns", {**CAMPAIGN, "name": "Cat pictures", "results": 1}, status=201)
    swarms.ok("post", campaign["_links"]["jobs"]["href"], [job["id"]])
    published = swarms.ok("post", campaign["_links"]["publish"]["href"])
    assert published["state"] == "active" and "publish" not in published["_links"]

    # when a worker logs in to the worker pages under the prefix and accepts the campaign's job
    log_in(page, live, worker)
    # (the campaign is offered under its Swarms title, with its description, duration and terms)
    card = page.locator(".card", has_text="Find cats")
    assert "Say whether there is a cat." in card.inner_text()
    assert "takes about 10 s" in card.inner_text()
    card.get_by_text("Terms of this work").click()
    assert card.get_by_text("Don't tell anyone about this.").is_visible()
    card.get_by_role("button", name="Accept next").click()
    next_assignment(page)
    assert page.url.startswith(f"{live}/worker/assignments/")
    # then the uploaded picture is shown (it loads from its URL under the prefix)
    picture = page.locator(".screen img").first
    picture.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    # when they answer and submit
    page.get_by_role("button", name="Yes").click()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(f"{live}/worker/")
    assert page.get_by_text("your answers were submitted").is_visible()

    # then the script lists the result through the campaign's results link and approves it through its own
    [result] = swarms.ok("get", published["_links"]["results"]["href"])["results"]
    assert result["state"] == "InReview" and result["worker"] == worker.pk
    assert result["taskResults"][0]["components"][0]["result"] == {"selectedOption": "Yes"}
    approved = swarms.ok("post", result["_links"]["approve"]["href"], {"message": "Well done!"})
    assert approved["state"] == "Approved" and "approve" not in approved["_links"]

    # and the worker's balance, read through the native API under the same prefix, holds the payment
    _, worker_key = api_token_create(user=worker, name="worker")
    me = requests.get(f"{live}/api/v1/me/", headers={"Authorization": f"Token {worker_key}"}, timeout=30)
    assert Decimal(me.json()["data"]["balance"]["available"]) == Decimal("0.50")

    # and once the token is discarded it no longer works
    assert swarms.call("post", "/auth/token/discard").status_code == 204
    refused = swarms.call("get", published["_links"]["self"]["href"])
    assert refused.status_code == 401 and refused.json()["code"] == 1001
