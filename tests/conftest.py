import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create

from .factories import RequesterFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need row locks that SQLite does not have; they run in CI on PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def token_client(user) -> APIClient:
    _, key = api_token_create(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def requester(db):
    return RequesterFactory()


@pytest.fixture
def worker(db):
    return UserFactory()


@pytest.fixture
def requester_client(requester):
    return token_client(requester)


@pytest.fixture
def worker_client(worker):
    return token_client(worker)


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture(autouse=True)
def _plans_kept(settings):
    """Tests count the statements a request sends; the periodic re-plan of prepared statements
    (``DISCARD PLANS``, see ``crowdplatform.sqlrows``) would add one whenever a test happens to run past the
    interval. Tests of the re-plan itself set the interval."""
    settings.CROWD_PREPARED_STATEMENTS_REPLAN = float("inf")


@pytest.fixture(params=["one call", "step by step"])
def claim_path(request, monkeypatch):
    """Run a test on both ways of claiming and submitting: the one-call claim and one-statement submit that
    PostgreSQL uses for the common case, and the statement-by-statement path every database has."""
    from django.conf import settings

    if request.param == "one call":
        if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
            pytest.skip("the one-call claim is PostgreSQL's")
    else:
        from results import claim_sql

        monkeypatch.setattr(claim_sql, "one_call_available", lambda: False)
    return request.param
