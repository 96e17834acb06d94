"""Bad input a worker or requester can send: each is a 4xx with a code, in the surface's error shape."""

import json

import pytest
from django.test import Client

from accounts.models import LedgerEntry
from crowdplatform.converters import MAX_ID
from crowdplatform.limits import MAX_JSON_DEPTH
from results.models import Assignment, AssignmentState
from tasks.models import ImportJob, Task
from tests.api.envelope import body, error
from tests.conftest import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOO_BIG = "99999999999999999999"  # 20 digits, beyond a bigint


# Ids beyond 64 bits, on every surface


@pytest.mark.parametrize(
    "method, url",
    [
        ("post", f"/api/v1/work/campaigns/{TOO_BIG}/claim/"),
        ("get", f"/api/v1/projects/{TOO_BIG}/"),
        ("get", f"/api/v1/campaigns/{TOO_BIG}/tasks"),
        ("post", f"/api/v1/assignments/{TOO_BIG}/approve/"),
        ("get", f"/api/v1/campaigns/{TOO_BIG}/results.csv"),
        ("post", f"/api/v1/wallets/{TOO_BIG}/deposit/"),
        ("get", f"/api/v1/projects/{MAX_ID + 1}/"),
    ],
)
def test_a_native_id_beyond_64_bits_is_an_enveloped_404(requester_client, method, url):
    # when an id that no bigint can hold is in the path
    response = getattr(requester_client, method)(url)
    # then it is the native 404, not a 500
    assert response.status_code == 404
    assert error(response)["code"] == "unknown-resource"


def test_the_largest_bigint_is_still_an_id(requester_client):
    response = requester_client.get(f"/api/v1/projects/{MAX_ID}/")
    assert (response.status_code, error(response)["code"]) == (404, "project-not-found")


def test_an_id_with_a_line_break_is_an_enveloped_404_not_an_html_page(requester_client):
    response = requester_client.get("/api/v1/projects/1%0A/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert error(response)["code"] == "unknown-resource"


@pytest.mark.parametrize(
    "url, model",
    [
        (f"/api/batches/{TOO_BIG}/", "Batch"),
        (f"/api/users/{TOO_BIG}/", "User"),
        (f"/api/projects/{TOO_BIG}/input/", "Project"),
    ],
)
def test_a_turkle_id_beyond_64_bits_is_turkles_json_404(url, model):
    client = token_client(UserFactory(is_staff=True))
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": f"No {model} matches the given query."}


@pytest.mark.parametrize("url", [f"/worker/campaigns/{TOO_BIG}/", f"/worker/campaigns/{TOO_BIG}/accept/"])
def test_a_worker_page_with_an_id_beyond_64_bits_is_a_404_page(url):
    client = Client()
    client.force_login(UserFactory())
    response = client.get(url) if url.endswith("/") and "accept" not in url else client.post(url)
    assert response.status_code == 404


# Unknown URLs under /api/ answer JSON in their surface's shape


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_turkle_url_is_a_json_404(anon_client, method):
    response = getattr(anon_client, method)("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_turkle_route_without_its_slash_is_still_redirected(anon_client):
    response = anon_client.get("/api/batches?page=2")
    assert (response.status_code, response["Location"]) == (301, "/api/batches/?page=2")


# JSON bodies: nesting and lone surrogates


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [100_000, MAX_JSON_DEPTH + 1])
def test_json_nested_too_deep_is_a_400_on_the_native_api(requester_client, levels):
    response = requester_client.generic(
        "POST",
        "/api/v1/projects/",
        f'{{"name": "x", "data": {_deep(levels)}}}',
        content_type="application/json",
    )
    assert (response.status_code, error(response)["code"]) == (400, "json-too-deep")


def test_json_nested_too_deep_is_a_400_on_the_turkle_api():
    client = token_client(UserFactory(is_staff=True))
    response = client.generic("POST", "/api/groups/", _deep(100_000), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": f"JSON nested deeper than {MAX_JSON_DEPTH} levels."}


@pytest.mark.parametrize("levels, status", [(MAX_JSON_DEPTH - 2, 201), (MAX_JSON_DEPTH - 1, 400)])
def test_json_up_to_the_depth_limit_is_accepted(requester_client, levels, status):
    # the body is depth 1, data 2, and its lists 3 to levels + 2
    payload = {"name": "deep", "data": {"deep": json.loads(_deep(levels))}}
    response = requester_client.post("/api/v1/projects/", payload, format="json")
    assert response.status_code == status, response.json()


@pytest.mark.parametrize("answers", ['{"label": "\\udc00"}', '{"\\ud800x": "a"}', '{"label": ["\\ud83d"]}'])
def test_a_lone_surrogate_in_answers_is_a_400_and_nothing_is_submitted(
    active_campaign, worker_client, answers
):
    claimed = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    response = worker_client.generic(
        "POST",
        f"/api/v1/work/assignments/{claimed['id']}/submit/",
        f'{{"answers": {answers}}}',
        content_type="application/json",
    )
    assert (response.status_code, error(response)["code"]) == (400, "invalid-unicode")
    assert Assignment.objects.get(pk=claimed["id"]).state == AssignmentState.ACCEPTED


def test_a_surrogate_pair_is_a_character_and_is_accepted(active_campaign, worker_client):
    claimed = body(worker_client.post(f"/api/v1/work/campaigns/{active_campaign.pk}/claim/"))
    response = worker_client.generic(
        "POST",
        f"/api/v1/work/assignments/{claimed['id']}/submit/",
        '{"answers": {"label": "\\ud83d\\ude00"}}',
        content_type="application/json",
    )
    assert response.status_code == 200
    assert body(response)["answers"] == {"label": "\U0001f600"}


def test_a_lone_surrogate_in_task_inputs_is_a_400_and_nothing_is_imported(campaign, requester_client):
    response = requester_client.generic(
        "POST",
        f"/api/v1/campaigns/{campaign.pk}/tasks/",
        '[{"text": "\\udfff"}]',
        content_type="application/json",
    )
    assert (response.status_code, error(response)["code"]) == (400, "invalid-unicode")
    assert (Task.objects.count(), ImportJob.objects.count()) == (0, 0)


# Money amounts


@pytest.mark.parametrize("amount", ["1e100", 10**30, "1E+30", "-1e100"])
@pytest.mark.parametrize("action", ["deposit", "adjust"])
def test_an_amount_beyond_the_ledger_is_a_400_naming_it(amount, action):
    staff_client = token_client(UserFactory(is_staff=True))
    user = UserFactory()
    response = staff_client.post(
        f"/api/v1/wallets/{user.pk}/{action}/",
        {"amount": amount, "reason": "r", "idempotency_key": "k"},
        format="json",
    )
    assert response.status_code == 400
    item = error(response)
    assert item["field"] == "amount"
    assert item["code"] in {"max-digits", "max-whole-digits"}
    assert LedgerEntry.objects.count() == 0


def test_the_money_service_refuses_a_huge_amount_before_rounding_it():
    from accounts.ledger import to_amount
    from crowdplatform.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        to_amount("1e100")
    assert (refused.value.code, refused.value.field) == ("invalid-amount", "amount")


# Empty imports


def test_an_empty_task_list_is_refused_and_records_nothing(campaign, requester_client):
    response = requester_client.post(f"/api/v1/campaigns/{campaign.pk}/tasks/", [], format="json")
    assert (response.status_code, error(response)["code"]) == (400, "no-tasks")
    assert ImportJob.objects.count() == 0
    campaign.refresh_from_db()
    assert campaign.tasks_count == 0


def test_a_header_only_csv_is_refused_and_records_nothing(campaign, requester_client):
    response = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/tasks", data="text,id\n", content_type="text/csv"
    )
    assert response.status_code == 400
    assert error(response) == {
        "code": "csv-no-records",
        "message": "There are no tasks to add: the CSV has no records after its header.",
        "line": 2,
    }
    assert ImportJob.objects.count() == 0


# Codes in one style, filters that say what is wrong


def test_drf_codes_are_kebab_case(requester_client):
    response = requester_client.get("/api/v1/assignments/?state=nonsense")
    assert (response.status_code, error(response)["code"], error(response)["field"]) == (
        400,
        "invalid-choice",
        "state",
    )


@pytest.mark.parametrize("worker", ["nobody-by-this-name", "987654321", TOO_BIG])
def test_a_filter_on_an_unknown_worker_says_so(requester_client, worker):
    response = requester_client.get("/api/v1/assignments/", {"worker": worker})
    assert response.status_code == 400
    assert error(response) == {
        "code": "unknown-worker",
        "message": f"No worker has the id or username '{worker}'.",
        "field": "worker",
    }


def test_a_filter_on_a_known_worker_by_name_or_id_lists_their_work(requester_client, worker):
    for value in (worker.username, str(worker.pk)):
        response = requester_client.get("/api/v1/assignments/", {"worker": value})
        assert response.status_code == 200


def test_a_bad_since_names_the_expected_format(requester_client):
    response = requester_client.get("/api/v1/assignments/", {"since": "yesterday"})
    item = error(response)
    assert (response.status_code, item["field"]) == (400, "since")
    assert "ISO 8601" in item["message"] and "2026-01-31T09:30:00Z" in item["message"]


def test_an_id_filter_beyond_64_bits_is_a_400(requester_client):
    response = requester_client.get("/api/v1/assignments/", {"task": TOO_BIG})
    assert (response.status_code, error(response)["code"], error(response)["field"]) == (
        400,
        "max-value",
        "task",
    )


def test_since_with_an_offset_postgresql_does_not_take_is_read_in_utc(requester_client):
    # PostgreSQL refuses offsets beyond ±15:59, Python takes them up to ±23:59
    response = requester_client.get("/api/v1/assignments/", {"since": "2026-01-30T06:47:29+20:30"})
    assert response.status_code == 200


def test_since_that_leaves_the_calendar_in_utc_is_a_400(requester_client):
    response = requester_client.get("/api/v1/assignments/", {"since": "0001-01-01T00:00:00+01:00"})
    assert (response.status_code, error(response)["field"]) == (400, "since")
