"""Auth token routes, X-Auth-Token, X-Request-ID, X-API-Version, the error body, CORS, schema and docs."""

import logging
import uuid

from accounts.models import ApiToken

from .conftest import Swarms, swarms_error


def test_token_request_returns_a_hashed_platform_token_and_the_seed_keys(requester):
    # when a client requests a token with email and password
    response = Swarms().post(
        "/auth/token/request", {"email": requester.email.upper(), "password": "correct-horse"}
    )
    # then it gets the seed's body, and only the hash of the token is stored
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"accessToken", "expiresAt", "userId"}
    assert body["userId"] == requester.pk
    token = ApiToken.objects.get(user=requester)
    assert token.key_hash != body["accessToken"] and body["accessToken"] not in token.key_hash


def test_bad_credentials_are_401_with_the_seed_error_body(requester):
    response = Swarms().post("/auth/token/request", {"email": requester.email, "password": "wrong"})
    body = swarms_error(response, 401, 1000)
    assert body["message"] == "invalid credentials"
    assert not ApiToken.objects.filter(user=requester).exists()


def test_unknown_email_is_the_same_401(db):
    swarms_error(Swarms().post("/auth/token/request", {"email": "no@x.org", "password": "x"}), 401, 1000)


def test_logins_are_locked_out_like_every_password_login(requester, settings):
    # given the platform's lockout after two failures (accounts.lockout, django-axes)
    settings.AXES_FAILURE_LIMIT = 2
    client = Swarms()
    swarms_error(client.post("/auth/token/request", {"email": requester.email, "password": "no"}), 401)
    # when the second failure reaches the limit, it is answered as a lockout
    swarms_error(client.post("/auth/token/request", {"email": requester.email, "password": "no"}), 429, 1002)
    # then even the right password is refused until the window ends, saying how long to wait
    refused = client.post("/auth/token/request", {"email": requester.email, "password": "correct-horse"})
    swarms_error(refused, 429, 1002)
    assert int(refused["Retry-After"]) > 0


def test_discard_ends_the_token(api):
    assert api.get("/me").status_code == 200
    assert api.post("/auth/token/discard").status_code == 204
    swarms_error(api.get("/me"), 401, 1001)


def test_no_token_and_a_bad_token_are_401(db):
    swarms_error(Swarms().get("/campaigns"), 401, 1001)
    swarms_error(Swarms(token="nonsense").get("/campaigns"), 401, 1001)


def test_a_worker_token_cannot_use_requester_routes(worker):
    client = Swarms()
    client.login(worker.email)
    for href in ("/campaigns", "/tasks", "/jobs"):
        swarms_error(client.get(href), 403, 1003)
    swarms_error(client.post("/campaigns", {"name": "x"}), 403, 1003)
    # the profile is anyone's own
    assert client.get("/me").status_code == 200


def test_every_response_has_a_request_id_and_the_version(api, caplog):
    response = api.get("/me")
    assert uuid.UUID(response["X-Request-ID"])
    assert response["X-API-Version"] == "1.0"
    # an error too, and an unknown route
    assert uuid.UUID(api.get("/nothing/here")["X-Request-ID"])
    swarms_error(api.get("/nothing/here"), 404, 1200)


def test_a_sent_request_id_is_echoed_and_logged(api, caplog):
    sent = str(uuid.uuid4())
    with caplog.at_level(logging.INFO, logger="compat.swarms.requests"):
        response = api.get("/me", headers={"X-Request-ID": sent})
    assert response["X-Request-ID"] == sent
    assert any(
        sent in record.getMessage() and "/swarms/me" in record.getMessage() for record in caplog.records
    )


def test_an_unsupported_version_is_400(api):
    body = swarms_error(api.get("/me", headers={"X-API-Version": "2.0"}), 400, 1101)
    assert "2.0" in body["description"]
    assert api.get("/me", headers={"X-API-Version": "1.0"}).status_code == 200
    # nothing is done under an unsupported version
    swarms_error(api.post("/campaigns", {"name": "x"}, headers={"X-API-Version": "0.9"}), 400, 1101)
    from campaigns.models import Campaign

    assert not Campaign.objects.exists()
    swarms_error(api.get("/schema/", headers={"X-API-Version": "0.9"}), 400, 1101)


def test_json_by_default_and_hal_when_asked(api, make_campaign):
    pk = make_campaign(publish=False)
    plain = Swarms(token=api.token, hal=False).get(f"/campaigns/{pk}")
    assert plain["Content-Type"].startswith("application/json") and "_links" not in plain.json()
    hal = api.get(f"/campaigns/{pk}")
    assert hal["Content-Type"].startswith("application/hal+json") and hal.json()["_links"]["self"] == {
        "href": f"/campaigns/{pk}"
    }


def test_cors_answers_configured_origins_on_swarms_only(api, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.org"]
    origin = {"Origin": "https://app.example.org"}
    response = api.get("/me", headers=origin)
    assert response["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert "x-request-id" in response["Access-Control-Expose-Headers"].lower()
    preflight = api.call(
        "options",
        "/campaigns",
        raw="",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-auth-token",
        },
    )
    assert "x-auth-token" in preflight["Access-Control-Allow-Headers"].lower()
    assert uuid.UUID(preflight["X-Request-ID"])
    # an error is readable by the page too
    refused = api.get("/me", headers={**origin, "X-API-Version": "9.9"})
    assert refused.status_code == 400 and refused["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert "Access-Control-Allow-Origin" not in api.client.get("/api/v1/", headers=origin)
    assert "Access-Control-Allow-Origin" not in api.get("/me", headers={"Origin": "https://evil.example"})


def test_schema_lists_every_route_and_the_docs_page_is_served(db):
    from django.test import Client

    schema = Client().get("/swarms/schema/", headers={"Accept": "application/json"}).json()
    paths = set(schema["paths"])
    for route in (
        "/auth/token/request",
        "/auth/token/discard",
        "/me",
        "/tasks",
        "/tasks/{id}",
        "/tasks/{id}/copy",
        "/tasks/{id}/archive",
        "/tasks/{id}/unarchive",
        "/jobs",
        "/jobs/{id}",
        "/jobs/{id}/tasks",
        "/jobs/{id}/copy",
        "/jobs/{id}/archive",
        "/jobs/{id}/unarchive",
        "/campaigns",
        "/campaigns/{id}",
        "/campaigns/{id}/jobs",
        "/campaigns/{id}/copy",
        "/campaigns/{id}/archive",
        "/campaigns/{id}/unarchive",
        "/campaigns/{id}/publish",
        "/campaigns/{id}/pause",
        "/campaigns/{id}/continue",
        "/campaigns/{id}/cancel",
        "/campaigns/{id}/results",
        "/campaigns/{id}/workers",
        "/campaigns/{campaign_id}/workers/{worker_id}/results",
        "/campaigns/{campaign_id}/results/approve-all",
        "/campaigns/{campaign_id}/workers/{worker_id}/approve-all",
        "/results/{id}",
        "/results/{id}/approve",
        "/results/{id}/reject",
        "/results/{id}/soft-reject",
        "/preview/markdown",
        "/upload",
    ):
        assert route in paths, route
    assert "SwarmsError" in schema["components"]["schemas"]
    # a valid OpenAPI document, every operation with its error body
    from openapi_spec_validator import validate

    validate(schema)
    for route, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], (method, route)
            if route != "/auth/token/request":
                assert "401" in operation["responses"], (method, route)
    assert schema["components"]["securitySchemes"]["swarmsToken"]["name"] == "X-Auth-Token"
    page = Client().get("/swarms/docs/")
    assert page.status_code == 200 and b"swagger" in page.content.lower()
