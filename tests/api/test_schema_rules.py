"""The schemas state the rules the server applies to input, so that a client (or a fuzzer) that keeps to the
schema is not refused for a reason the schema does not give."""

import re

import pytest
import yaml

from crowdplatform.converters import MAX_ID

pytestmark = pytest.mark.django_db

METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture
def native(anon_client):
    return yaml.safe_load(anon_client.get("/api/v1/schema/").content)


@pytest.fixture
def turkle(anon_client):
    return yaml.safe_load(anon_client.get("/api/schema/").content)


def _request_strings(schema):
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            for prop_name, prop in component.get("properties", {}).items():
                if prop.get("type") == "string" and "format" not in prop and "enum" not in prop:
                    yield f"{name}.{prop_name}", prop


@pytest.mark.parametrize("surface", ["native", "turkle"])
def test_text_in_requests_excludes_nul(surface, request):
    schema = request.getfixturevalue(surface)
    strings = dict(_request_strings(schema))
    assert len(strings) > 5
    for where, prop in strings.items():
        assert "pattern" in prop, where
        assert not re.fullmatch(prop["pattern"], "a\x00b"), where


def test_path_ids_are_bounded_integers_on_both_surfaces(native, turkle):
    for schema in (native, turkle):
        ids = [
            p["schema"]
            for item in schema["paths"].values()
            for op in (v for k, v in item.items() if k in METHODS)
            for p in [*item.get("parameters", []), *op.get("parameters", [])]
            if p["in"] == "path" and p["name"] in {"id", "campaign_pk", "project_pk", "user_id"}
        ]
        assert ids
        assert all(s == {"type": "integer", "minimum": 0, "maximum": MAX_ID} for s in ids), ids


def test_id_filters_are_bounded_integers(native):
    params = {p["name"]: p["schema"] for p in native["paths"]["/api/v1/assignments/"]["get"]["parameters"]}
    assert params["task"] == params["campaign"] == {"type": "integer", "minimum": 0, "maximum": MAX_ID}


def test_answers_and_project_data_are_json_objects(native):
    components = native["components"]["schemas"]
    answers = components["AnswersInputRequest"]["properties"]["answers"]
    assert answers["type"] == "object"
    kinds = [one["type"] for one in answers["additionalProperties"]["oneOf"]]
    assert kinds == ["string", "number", "boolean", "array"]
    assert components["ProjectInputRequest"]["properties"]["data"]["type"] == "object"


def test_a_payment_cannot_be_negative_in_the_schema(native):
    pattern = native["components"]["schemas"]["CampaignInputRequest"]["properties"]["payment_per_result"][
        "pattern"
    ]
    assert re.fullmatch(pattern, "0.50")
    assert not re.fullmatch(pattern, "-0.50")


def test_request_bodies_are_json_where_forms_cannot_say_null_or_objects(native):
    media = {
        (method, path): sorted(op["requestBody"]["content"])
        for path, item in native["paths"].items()
        for method, op in item.items()
        if method in METHODS and "requestBody" in op
    }
    tasks = ("post", "/api/v1/campaigns/{campaign_pk}/tasks/")
    assert media.pop(tasks) == ["application/json", "multipart/form-data", "text/csv"]
    # Files: media for screens and recordings, and a completed report bundle (a zip, sent as a form or raw).
    assert media.pop(("post", "/api/v1/media/")) == ["multipart/form-data"]
    assert media.pop(("post", "/api/v1/work/assignments/{assignment_id}/media/")) == ["multipart/form-data"]
    assert media.pop(("post", "/api/v1/bundle/import/")) == ["application/zip", "multipart/form-data"]
    assert set(map(tuple, media.values())) == {("application/json",)}


def test_me_allows_an_empty_email_and_a_token_delete_answers_its_body(native):
    assert "format" not in native["components"]["schemas"]["ProfileOutput"]["properties"]["email"]
    assert "200" in native["paths"]["/api/v1/tokens/{id}/"]["delete"]["responses"]


def test_lists_document_the_404_of_a_page_past_the_end_and_the_400_of_a_bad_filter(native):
    responses = native["paths"]["/api/v1/assignments/"]["get"]["responses"]
    assert {"400", "404"} <= set(responses)


def test_a_task_list_must_hold_at_least_one_task(native):
    body = native["paths"]["/api/v1/campaigns/{campaign_pk}/tasks/"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["minItems"] == 1
