"""A Swarms client for the tests: it joins ``base_url + href`` as the Swarms SDK does, and can run behind a
path prefix (the app mounted under ``/prefix/`` through ``SCRIPT_NAME``)."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.wallets import wallet_deposit, wallet_set_commission_rate
from results.claim import assignment_claim_next
from results.services import assignment_submit
from tests.factories import RequesterFactory, UserFactory

PASSWORD = "correct-horse"
TASK = {
    "name": "Is there a cat?",
    "components": [
        {"type": "Text", "style": "Question", "text": "Is there a cat?"},
        {"type": "BinaryChoice", "option1": "Yes", "option2": "No"},
    ],
    "properties": {"key": "value"},
}
CAMPAIGN = {
    "name": "Cats",
    "title": "Find cats",
    "description": "Say whether there is a cat.",
    "terms": "Don't tell anyone about this.",
    "estDuration": "10 sec",
    "workerPayment": 0.5,
    "results": 2,
    "maxResultsPerWorker": 1,
    "maxWorkTime": "10 min",
    "maxUploadTime": "4 hours",
    "maxReviewTime": "3 hours",
    "training": False,
    "startDate": None,
    "endDate": None,
    "properties": {"key": "value"},
}


class Swarms:
    """``base_url`` ends with the mount (``http://testserver/prefix/swarms``); every call is base + href."""

    def __init__(self, prefix: str = "", token: str | None = None, hal: bool = True):
        self.client = Client()
        self.prefix = prefix
        self.base_url = f"http://testserver{prefix}/swarms"
        self.token = token
        self.hal = hal

    def call(self, method: str, href: str, body=None, *, raw=None, headers=None, **extra):
        url = self.base_url + href
        path = url.removeprefix("http://testserver")
        assert path.startswith(self.prefix + "/swarms/"), url
        path = path.removeprefix(self.prefix)
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("X-Auth-Token", self.token)
        headers.setdefault("Accept", "application/hal+json" if self.hal else "application/json")
        kwargs = {"headers": headers, **extra}
        if self.prefix:
            kwargs["SCRIPT_NAME"] = self.prefix
        if raw is not None:
            return getattr(self.client, method)(path, raw, **kwargs)
        if method == "get":
            return self.client.get(path, body, **kwargs)
        data = "null" if body is None else json.dumps(body)
        return getattr(self.client, method)(path, data, content_type="application/json", **kwargs)

    def get(self, href, params=None, **kw):
        return self.call("get", href, params, **kw)

    def post(self, href, body=None, **kw):
        return self.call("post", href, body, **kw)

    def put(self, href, body=None, **kw):
        return self.call("put", href, body, **kw)

    def delete(self, href, **kw):
        return self.call("delete", href, **kw)

    def login(self, email: str, password: str = PASSWORD) -> str:
        response = self.post("/auth/token/request", {"email": email, "password": password})
        assert response.status_code == 200, response.content
        self.token = response.json()["accessToken"]
        return self.token


def swarms_error(response, status: int, number: int | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert {"code", "message", "description"} <= set(body), body
    assert isinstance(body["code"], int)
    if number is not None:
        assert body["code"] == number, body
    return body


@pytest.fixture(autouse=True)
def _no_login_failures_left():
    """Failed logins are counted per address in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def requester(db):
    user = RequesterFactory()
    wallet_set_commission_rate(user=user, rate=Decimal("0.20"))
    wallet_deposit(user=user, amount="100.00", reason="test", idempotency_key=f"dep-{user.pk}")
    return user


@pytest.fixture
def other_requester(db):
    return RequesterFactory()


@pytest.fixture
def worker(db):
    return UserFactory()


@pytest.fixture
def api(requester):
    client = Swarms()
    client.login(requester.email)
    return client


@pytest.fixture
def make_campaign(api):
    """A campaign of one job of one task, published unless ``publish=False``; returns its id."""

    def make(publish=True, **fields):
        task = api.post("/tasks", TASK).json()
        job = api.post("/jobs", {"name": "Job", "description": "d"}).json()
        api.put(f"/jobs/{job['id']}/tasks", [task["id"]])
        campaign = api.post("/campaigns", {**CAMPAIGN, **fields}).json()
        assert api.post(f"/campaigns/{campaign['id']}/jobs", [job["id"]]).status_code == 200
        if publish:
            assert api.post(f"/campaigns/{campaign['id']}/publish").status_code == 200
        return campaign["id"]

    return make


def do_job(campaign_id: int, worker, answer: str = "Yes"):
    """The worker claims the campaign's next job and submits it through the engine's worker services."""
    assignment = assignment_claim_next(campaign_id=campaign_id, worker=worker)
    screen_id = assignment.task.job.job_screens.order_by("position").first().screen_id
    now = timezone.now().isoformat()
    answers = {
        "screens": [
            {
                "screen": screen_id,
                "startedAt": now,
                "completedAt": now,
                "results": {"1": {"selectedOption": answer}},
            }
        ]
    }
    return assignment_submit(assignment_id=assignment.pk, worker=worker, answers=answers)
