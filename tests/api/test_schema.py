import io
import re
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import call_command
from jsonschema import FormatChecker, ValidationError
from openapi_schema_validator import OAS30Validator
from openapi_schema_validator import validate as validate_instance
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from accounts.services import api_token_create
from campaigns.models import CampaignState
from tests.conftest import token_client
from tests.factories import CampaignFactory, ProjectFactory, UserFactory
from tests.money.scenario import campaign_with_tasks, fund

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_generates_without_warnings_and_is_valid(tmp_path):
    # --fail-on-warn turns any drf-spectacular warning (an undescribed view, field or enum) into a failure.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target), stdout=io.StringIO())
    schema = yaml.safe_load(target.read_text())
    validate(schema)
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/login/", "/api/v1/campaigns/{id}/publish/", "/api/v1/work/campaigns/{id}/claim/"):
        assert path in schema["paths"]


def test_the_schema_and_the_docs_ui_are_served(anon_client):
    response = anon_client.get("/api/v1/schema")
    assert response.status_code == 200
    served = yaml.safe_load(response.content)
    assert served["info"]["title"] == "Crowdplatform API"
    assert all(path.startswith("/api/v1/") for path in served["paths"])
    validate(served)
    assert anon_client.get("/api/v1/docs/").status_code == 200


METHODS = {"get", "put", "post", "patch", "delete"}
ERROR_REF = "#/components/schemas/ErrorEnvelope"


@pytest.fixture
def native_schema(anon_client):
    return yaml.safe_load(anon_client.get("/api/v1/schema/").content)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def error_ref(response):
    return response["content"]["application/json"]["schema"]["$ref"]


def test_every_operation_that_needs_a_login_lists_401_and_403_as_error_envelopes(native_schema):
    needing_login = [
        (method, path, operation)
        for method, path, operation in operations(native_schema)
        if operation.get("security") and {} not in operation["security"]
    ]
    assert len(needing_login) > 50
    for method, path, operation in needing_login:
        for code in ("401", "403"):
            assert error_ref(operation["responses"][code]) == ERROR_REF, (method, path, code)


def test_the_index_and_the_login_need_no_login_and_list_no_403(native_schema):
    index = native_schema["paths"]["/api/v1/"]["get"]["responses"]
    login = native_schema["paths"]["/api/v1/login/"]["post"]["responses"]
    assert sorted(index) == ["200"]
    # The login's success body is raw; its errors are enveloped like every other (tests/accounts/test_login.py).
    assert sorted(login) == ["200", "401", "429"]
    assert login["200"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/LoginOutput"
    assert login["401"]["description"] == "The token is missing or not valid."
    assert error_ref(login["401"]) == error_ref(login["429"]) == ERROR_REF


def test_every_operation_with_a_path_id_lists_404_and_every_one_with_a_body_lists_400(native_schema):
    with_id = with_body = 0
    for method, path, operation in operations(native_schema):
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            with_id += 1
            assert error_ref(operation["responses"]["404"]) == ERROR_REF, (method, path)
        if "requestBody" in operation:
            with_body += 1
            assert error_ref(operation["responses"]["400"]) == ERROR_REF, (method, path)
    assert (with_id > 30, with_body > 15) == (True, True)


def test_claim_and_submit_list_their_errors(native_schema):
    claim = native_schema["paths"]["/api/v1/work/campaigns/{id}/claim/"]["post"]["responses"]
    submit = native_schema["paths"]["/api/v1/work/assignments/{id}/submit/"]["post"]["responses"]
    # Claim reads no input, so it has no 400 to give.
    assert sorted(claim) == ["201", "401", "403", "404", "409"]
    assert sorted(submit) == ["200", "400", "401", "403", "404", "409"]


def test_operations_that_freeze_money_list_402_and_others_do_not(native_schema):
    paths = native_schema["paths"]
    for path in (
        "/api/v1/campaigns/{id}/publish/",
        "/api/v1/campaigns/{campaign_pk}/tasks/",
        "/api/v1/assignments/{id}/overturn/",
        "/api/v1/wallets/{user_id}/adjust/",
    ):
        assert error_ref(paths[path]["post"]["responses"]["402"]) == ERROR_REF, path
    for path in ("/api/v1/campaigns/{id}/continue/", "/api/v1/campaigns/{id}/pause/"):
        assert "402" not in paths[path]["post"]["responses"], path
    assert "402" not in paths["/api/v1/projects/{project_pk}/campaigns/"]["post"]["responses"]


def test_state_changing_actions_list_409_and_explicit_descriptions_are_kept(native_schema):
    paths = native_schema["paths"]
    publish = paths["/api/v1/campaigns/{id}/publish/"]["post"]["responses"]
    adjust = paths["/api/v1/wallets/{user_id}/adjust/"]["post"]["responses"]
    assert publish["409"]["description"] == (
        "The action is not allowed in the campaign's state (illegal-transition)."
    )
    assert publish["402"]["description"] == "The balance is short (insufficient-funds); nothing is changed."
    assert adjust["402"]["description"] == "An adjustment down below zero (insufficient-funds)."
    assert adjust["404"]["description"] == "No such user."
    assert sorted(adjust) == ["200", "201", "400", "401", "402", "403", "404", "409"]
    for path in ("/api/v1/work/assignments/{id}/return/", "/api/v1/campaigns/{id}/archive/"):
        assert error_ref(paths[path]["post"]["responses"]["409"]) == ERROR_REF, path
    # Deleting a token or creating a campaign has no state to conflict with.
    assert "409" not in paths["/api/v1/tokens/{id}/"]["delete"]["responses"]
    assert "409" not in paths["/api/v1/projects/{project_pk}/campaigns/"]["post"]["responses"]


def test_the_error_component_describes_what_the_api_answers(native_schema, requester, requester_client):
    # given the error component of the served schema
    schema = {"$ref": ERROR_REF, "components": native_schema["components"]}
    # when the API answers an error carrying extra details (a 409 names the state and the action)
    campaign = CampaignFactory(project=ProjectFactory(owner=requester), state=CampaignState.FINISHED)
    response = requester_client.post(f"/api/v1/campaigns/{campaign.pk}/publish/")
    # then the answer matches the component, and a success envelope does not
    assert response.status_code == 409
    validate_instance(response.json(), schema, cls=OAS30Validator)
    with pytest.raises(ValidationError):
        validate_instance({"status": "success", "data": {}, "errors": []}, schema, cls=OAS30Validator)


def test_the_turkle_schema_keeps_its_own_error_shapes(anon_client):
    schema = yaml.safe_load(anon_client.get("/api/schema/").content)
    assert "ErrorEnvelope" not in schema["components"]["schemas"]
    turkle_shapes = {"#/components/schemas/TurkleDetail", "#/components/schemas/TurkleFieldErrors"}
    for method, path, operation in operations(schema):
        errors = {code: r for code, r in operation["responses"].items() if code.startswith("4")}
        # every Turkle operation needs a token: a missing one is Turkle's 403
        assert "403" in errors, (method, path)
        assert {error_ref(r) for r in errors.values()} <= turkle_shapes, (method, path)
    batch = schema["paths"]["/api/batches/{id}/"]
    assert sorted(batch["get"]["responses"]) == ["200", "403", "404"]
    assert sorted(batch["patch"]["responses"]) == ["200", "400", "403", "404"]
    assert sorted(schema["paths"]["/api/batches/"]["get"]["responses"]) == ["200", "400", "403", "404"]


def test_me_describes_the_profile_fields_and_their_change(native_schema):
    me = native_schema["paths"]["/api/v1/me/"]
    profile = native_schema["components"]["schemas"]["ProfileOutput"]["properties"]
    change = native_schema["components"]["schemas"]["PatchedProfileUpdateInputRequest"]["properties"]
    assert {"phone", "organization", "website", "logo", "customer_id", "charity"} <= set(profile)
    assert sorted(change) == ["email", "first_name", "last_name", "logo", "organization", "phone", "website"]
    assert sorted(me["patch"]["responses"]) == ["200", "400", "401", "403"]
    assert error_ref(me["patch"]["responses"]["400"]) == ERROR_REF


# Without rfc3987 the validator checks no `uri` format, and drf-spectacular describes a URL that may be blank
# as oneOf(uri, empty string): telling those apart needs the check.
FORMATS = FormatChecker(formats=())
FORMATS.checkers = {**OAS30Validator.FORMAT_CHECKER.checkers}
FORMATS.checks("uri")(lambda value: not isinstance(value, str) or bool(urlsplit(value).scheme))


def answer_schema(schema, method, path, code, media="application/json"):
    """The schema of one documented answer, with the components its $refs point into."""
    answer = schema["paths"][path][method]["responses"][code]["content"][media]["schema"]
    return {**answer, "components": schema["components"]}


def test_every_native_json_success_is_described_as_an_envelope_except_the_login(native_schema):
    components = native_schema["components"]["schemas"]
    enveloped = 0
    for method, path, operation in operations(native_schema):
        for code, response in operation["responses"].items():
            media = response.get("content", {})
            if not code.startswith("2") or "application/json" not in media:
                continue
            described = media["application/json"]["schema"]
            if (method, path) == ("post", "/api/v1/login/"):
                assert described == {"$ref": "#/components/schemas/LoginOutput"}
                continue
            enveloped += 1
            if "$ref" in described:
                described = components[described["$ref"].rsplit("/", 1)[1]]
            assert described["required"] == ["status", "data", "errors"], (method, path, code)
            assert described["properties"]["status"] == {"type": "string", "enum": ["success"]}
            assert described["properties"]["errors"]["maxItems"] == 0
    assert enveloped > 50


def test_the_exports_keep_their_file_media_types(native_schema):
    paths = native_schema["paths"]
    csv = paths["/api/v1/campaigns/{id}/results.csv/"]["get"]["responses"]["200"]["content"]
    jsonl = paths["/api/v1/campaigns/{id}/results.jsonl/"]["get"]["responses"]["200"]["content"]
    assert csv == {"text/csv": {"schema": {"type": "string"}}}
    assert jsonl == {"application/jsonl": {"schema": {"type": "string"}}}


def test_real_success_answers_match_their_documented_envelopes(native_schema, requester, requester_client):
    # given a requester with a project, a funded unpublished campaign, and a worker
    fund(requester, "100")
    campaign = campaign_with_tasks(requester=requester, tasks=2, publish=False)
    worker = UserFactory()
    answers = {}
    # when they read a detail, paginated lists (projects, ledger, workers), publish, and a worker claims a task
    answers["get", "/api/v1/campaigns/{id}/", "200"] = requester_client.get(
        f"/api/v1/campaigns/{campaign.pk}/"
    )
    answers["get", "/api/v1/projects/", "200"] = requester_client.get("/api/v1/projects/")
    answers["get", "/api/v1/ledger/", "200"] = requester_client.get("/api/v1/ledger/")
    answers["get", "/api/v1/me/", "200"] = requester_client.get("/api/v1/me/")
    answers["post", "/api/v1/campaigns/{id}/publish/", "200"] = requester_client.post(
        f"/api/v1/campaigns/{campaign.pk}/publish/"
    )
    answers["post", "/api/v1/work/campaigns/{id}/claim/", "201"] = token_client(worker).post(
        f"/api/v1/work/campaigns/{campaign.pk}/claim/"
    )
    answers["get", "/api/v1/", "200"] = requester_client.get("/api/v1/")
    answers["get", "/api/v1/workers/", "200"] = requester_client.get("/api/v1/workers/")
    answers["get", "/api/v1/campaigns/{id}/workers/", "200"] = requester_client.get(
        f"/api/v1/campaigns/{campaign.pk}/workers/"
    )
    # then each answer is an envelope that matches the schema documented for it, and its bare payload does not
    for (method, path, code), response in answers.items():
        assert str(response.status_code) == code, (method, path, response.content)
        schema = answer_schema(native_schema, method, path, code)
        validate_instance(response.json(), schema, cls=OAS30Validator, format_checker=FORMATS)
        with pytest.raises(ValidationError):
            validate_instance(response.json()["data"], schema, cls=OAS30Validator, format_checker=FORMATS)
    assert answers["get", "/api/v1/projects/", "200"].json()["data"]["count"] == 1
    assert answers["get", "/api/v1/ledger/", "200"].json()["data"]["count"] == 1


def test_the_login_answer_matches_its_raw_documented_body(native_schema, requester):
    # given an API token
    _, key = api_token_create(user=requester, name="script")
    # when it is exchanged for a bearer token
    response = APIClient().post("/api/v1/login/", HTTP_AUTHORIZATION=f"token {key}")
    # then the answer is the bare body the schema documents, not an envelope
    assert response.status_code == 200
    schema = answer_schema(native_schema, "post", "/api/v1/login/", "200")
    validate_instance(response.json(), schema, cls=OAS30Validator, format_checker=FORMATS)
    assert sorted(response.json()) == ["access_token", "expires_in", "token_type"]


def test_options_answers_every_documented_route_without_a_server_error(native_schema):
    # given a staff caller, and every path the native schema documents (ids filled with 1)
    client = token_client(UserFactory(is_staff=True, is_superuser=True))
    paths = {re.sub(r"\{[^}]+\}", "1", path) for path in native_schema["paths"]}
    # when each is asked what it offers
    failures = {path: client.options(path).status_code for path in sorted(paths)}
    # then none answers with a server error
    assert {path: code for path, code in failures.items() if code >= 500} == {}
    assert client.options("/api/v1/projects/").json()["data"]["name"]
