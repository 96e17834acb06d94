"""Contract fuzzing: schemathesis generates requests from each API's own OpenAPI schema and checks the answers.

The bar: no server error, and no answer that contradicts the schema (an undocumented status, a body or a
content type the schema does not describe). Bounded in examples per operation, so the whole run stays in
the suite's budget; on PostgreSQL, because that is what production runs.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig

from accounts.services import api_token_create
from campaigns.models import CampaignState
from tests.factories import CampaignFactory, ProjectFactory, RequesterFactory, TaskFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Examples per operation and phase: enough to cross every parameter's edges, little enough for the budget.
MAX_EXAMPLES = 6

CONFIG = {
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": False},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    "generation": {"max-examples": MAX_EXAMPLES},
}

# The checks that hold an answer to the schema. (Whether a schema-valid request is accepted depends on data
# the schema cannot state, such as which ids exist, so positive_data_acceptance is not one of them.)
load_all_checks()
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def served_in_the_test_transaction(db):
    """Requests reach the app in the test's own transaction, as with Django's test client, which keeps
    Django from closing the connection at the start and end of each request."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def _load(path: str):
    # At collection, so that each operation is a test of its own; serving a schema reads no table.
    return schemathesis.openapi.from_wsgi(
        path, get_wsgi_application(), config=SchemathesisConfig.from_dict(CONFIG)
    )


@pytest.fixture
def requester_token(db):
    """A requester with a project and an active campaign of three tasks."""
    # No email address: answers must still match `/me`'s schema.
    requester = RequesterFactory(email="")
    campaign = CampaignFactory(project=ProjectFactory(owner=requester), state=CampaignState.ACTIVE)
    for _ in range(3):
        TaskFactory(campaign=campaign)
    return api_token_create(user=requester, name="fuzz")[1]


@pytest.fixture
def staff_token(db):
    return api_token_create(user=UserFactory(is_staff=True, email=""), name="fuzz")[1]


native = _load("/api/v1/schema/")
turkle = _load("/api/schema/")

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)


@native.parametrize()
@FUZZ_SETTINGS
def test_the_native_api_keeps_to_its_schema(case, requester_token):
    case.call_and_validate(headers={"Authorization": f"Token {requester_token}"}, checks=CHECKS)


@native.parametrize()
@FUZZ_SETTINGS
def test_the_native_api_keeps_to_its_schema_for_staff(case, staff_token):
    case.call_and_validate(headers={"Authorization": f"Token {staff_token}"}, checks=CHECKS)


@turkle.parametrize()
@FUZZ_SETTINGS
def test_the_turkle_api_keeps_to_its_schema(case, requester_token, staff_token):
    case.call_and_validate(headers={"Authorization": f"Token {staff_token}"}, checks=CHECKS)


swarms = _load("/swarms/schema/")
orderly = _load("/api/v2/schema/")


@swarms.parametrize()
@FUZZ_SETTINGS
def test_the_swarms_api_keeps_to_its_schema(case, requester_token):
    case.call_and_validate(headers={"X-Auth-Token": requester_token}, checks=CHECKS)


@orderly.parametrize()
@FUZZ_SETTINGS
def test_the_v2_report_routes_keep_to_their_schema(case, requester_token):
    case.call_and_validate(headers={"Authorization": f"Token {requester_token}"}, checks=CHECKS)
