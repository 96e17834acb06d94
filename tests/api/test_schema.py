import io

import pytest
import yaml
from django.core.management import call_command
from openapi_spec_validator import validate

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
