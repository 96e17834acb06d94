from pathlib import Path

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from projects.services import project_create
from tests.factories import RequesterFactory, UserFactory

EXAMPLES = Path(__file__).parent / "examples"


def example(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def turkle_client(user) -> APIClient:
    _, key = api_token_create(user=user, name="turkle")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def staff_client(staff):
    return turkle_client(staff)


@pytest.fixture
def owner(db):
    return RequesterFactory()


@pytest.fixture
def owner_client(owner):
    return turkle_client(owner)


@pytest.fixture
def other_client(db):
    return turkle_client(RequesterFactory())


@pytest.fixture
def project(owner):
    return project_create(
        owner=owner,
        name="Image Contains",
        html_template=example("image_contains.html"),
        template_filename="image_contains.html",
        default_time_allowed_s=24 * 3600,
    )
