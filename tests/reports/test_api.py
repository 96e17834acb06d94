"""The report routes of seed 003 at /api/v1/ and /api/v2/: shapes, the OrderlyWeb-style permission matrix,
visibility of unpublished versions, and bad input."""

import io
import json
import zipfile

import pytest
from rest_framework.test import APIClient

from accounts.models import PermissionGrant
from reports.models import Report, ReportRun
from reports.services import report_create, report_run_queue, version_publish
from tests.conftest import token_client
from tests.factories import UserFactory

from .conftest import synthetic_campaign

pytestmark = pytest.mark.django_db
READ, REVIEW, RUN = "reports.read", "reports.review", "reports.run"


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """A campaign, its owner, an aggregate report with one published and one unpublished version."""
    campaign, _, _ = synthetic_campaign(tasks=12)
    owner = campaign.project.owner
    report = report_create(
        user=owner,
        name="labels",
        kind="aggregate",
        scope="campaign",
        scope_id=campaign.pk,
        display_name="Labels",
    )
    versions = []
    for message, label in (("Published one", "public"), ("Draft", "internal")):
        with django_capture_on_commit_callbacks(execute=True):
            run = report_run_queue(user=owner, report=report, changelog={"message": message, "type": label})
        run.refresh_from_db()
        versions.append(run.version)
    version_publish(version=versions[0])
    other = report_create(user=owner, name="other", kind="progress", scope="campaign", scope_id=campaign.pk)
    return {
        "campaign": campaign,
        "owner": owner,
        "report": report,
        "published": versions[0],
        "draft": versions[1],
        "other": other,
    }


def data(response):
    body = response.json()
    assert body["status"] == "success", body
    assert body["errors"] == []
    return body["data"]


def test_owner_sees_reports_versions_and_details_in_the_seed_shapes(world):
    client = token_client(world["owner"])
    published, draft = world["published"], world["draft"]

    listing = data(client.get("/api/v1/reports/"))
    assert {"name": "labels", "display_name": "Labels", "latest_version": draft.id} in listing

    assert data(client.get("/api/v1/reports/labels")) == [published.id, draft.id]

    details = data(client.get(f"/api/v1/reports/labels/versions/{published.id}/"))
    assert set(details) >= {
        "id",
        "name",
        "display_name",
        "description",
        "artefacts",
        "resources",
        "date",
        "data_info",
        "parameter_values",
        "requester",
        "author",
        "published",
    }
    assert details["name"] == "labels" and details["published"] is True
    formats = {a["format"] for a in details["artefacts"]}
    assert formats == {"data"}
    files = {f["name"] for a in details["artefacts"] for f in a["files"]}
    assert files == {"aggregate.csv"}
    assert (
        details["data_info"]["name"] == "aggregate" and details["parameter_values"]["method"] == "dawid_skene"
    )

    hashes = data(client.get(f"/api/v1/reports/labels/versions/{published.id}/artefacts/"))
    body = b"".join(
        client.get(
            f"/api/v1/reports/labels/versions/{published.id}/artefacts/aggregate.csv/"
        ).streaming_content
    )
    import hashlib

    assert hashlib.md5(body).hexdigest() == hashes["aggregate.csv"]
    assert set(data(client.get(f"/api/v1/reports/labels/versions/{published.id}/data/"))) == {"aggregate"}
    csv_body = b"".join(
        client.get(f"/api/v1/reports/labels/versions/{published.id}/data/aggregate/").streaming_content
    )
    assert csv_body.startswith(b"task_id,")
    rds = client.get(f"/api/v1/reports/labels/versions/{published.id}/data/aggregate/?type=rds")
    assert (
        rds.status_code == 200 and b"".join(rds.streaming_content)[:2] == b"\x1f\x8b"
    )  # gzip-compressed RDS


def test_versions_lists_every_visible_version_with_its_resources(world):
    rows = data(token_client(world["owner"]).get("/api/v1/versions/"))
    ids = {row["id"] for row in rows}
    assert {world["published"].id, world["draft"].id} <= ids
    assert set(rows[0]) == {
        "id",
        "name",
        "display_name",
        "date",
        "published",
        "requester",
        "author",
        "resources",
    }


def test_the_zip_of_a_version_holds_data_only_for_reviewers(world, django_user_model):
    version = world["published"]
    reader = UserFactory()
    PermissionGrant.objects.create(user=reader, name=READ, scope="report", scope_id=world["report"].pk)

    def names(client):
        response = client.get(f"/api/v1/reports/labels/versions/{version.id}/all/")
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        return set(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist())

    owner = token_client(world["owner"])
    assert (
        owner.get(f"/api/v1/reports/labels/versions/{version.id}/data/aggregate/?type=rds").status_code == 200
    )
    owner_names, reader_names = names(owner), names(token_client(reader))
    assert "data/aggregate.csv" in owner_names and "data/aggregate.rds" in owner_names
    assert "artefact/aggregate.csv" in reader_names and not any(n.startswith("data/") for n in reader_names)


def test_without_review_only_published_versions_exist(world):
    # given a reader without review on the report
    reader = UserFactory()
    PermissionGrant.objects.create(user=reader, name=READ, scope="report", scope_id=world["report"].pk)
    client = token_client(reader)

    # then the draft is not there, and its routes answer 404
    assert data(client.get("/api/v1/reports/labels/")) == [world["published"].id]
    listing = data(client.get("/api/v1/reports/"))
    assert listing == [{"name": "labels", "display_name": "Labels", "latest_version": world["published"].id}]
    assert client.get(f"/api/v1/reports/labels/versions/{world['draft'].id}/").status_code == 404
    # and only public changelog entries show
    assert [e["label"] for e in data(client.get("/api/v1/reports/labels/latest/changelog/"))] == ["public"]
    owner_log = data(token_client(world["owner"]).get("/api/v1/reports/labels/latest/changelog/"))
    assert owner_log == [
        {"label": "internal", "value": "Draft", "from_file": False, "report_version": world["draft"].id}
    ]


def test_publish_and_unpublish(world):
    client = token_client(world["owner"])
    url = f"/api/v1/reports/labels/versions/{world['draft'].id}/publish/"
    assert data(client.post(url)) is True
    world["draft"].refresh_from_db()
    assert world["draft"].published
    assert data(client.post(url + "?value=FALSE")) is False
    world["draft"].refresh_from_db()
    assert not world["draft"].published
    response = client.post(url + "?value=maybe")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "invalid-boolean"


def test_run_status_output_queue_and_kill(world):
    client = token_client(world["owner"])
    # when a run is queued (the test's transaction never commits, so no worker takes it)
    queued = data(
        client.post(
            "/api/v1/reports/labels/run/?timeout=60", {"params": {"method": "majority_vote"}}, format="json"
        )
    )
    assert queued["name"] == "labels" and queued["path"] == f"/api/v1/reports/{queued['key']}/status/"
    adjective, animal = queued["key"].split("_", 1)
    assert adjective.isalpha() and animal.isalpha()

    status = data(client.get(queued["path"] + "?output=TRUE"))
    assert status["status"] == "queued" and status["version"] is None and status["output"] == []
    assert {"key": queued["key"], "status": "queued", "name": "labels", "version": None} in status["queue"]
    assert data(client.get(queued["path"]))["output"] is None
    assert {"key": queued["key"], "status": "queued", "name": "labels", "version": None} in data(
        client.get("/api/v1/queue/status/")
    )["tasks"]

    killed = data(client.delete(f"/api/v1/reports/{queued['key']}/kill/"))
    assert killed == {"killed": True, "status": "interrupted"}
    again = client.delete(f"/api/v1/reports/{queued['key']}/kill/")
    assert again.status_code == 409


def test_a_finished_run_names_its_version(world):
    run = ReportRun.objects.get(version=world["published"])
    status = data(token_client(world["owner"]).get(f"/api/v1/reports/{run.key}/status/?output=true"))
    assert status["status"] == "success" and status["version"] == world["published"].id
    assert status["output"][-1] == f"id:{world['published'].id}"


def test_v2_login_then_run_with_a_json_body_sent_without_content_type(world):
    # given an OrderlyWeb client: token login at /api/v2/, then bearer calls with untyped JSON bodies
    from accounts.services import api_token_create

    _, key = api_token_create(user=world["owner"], name="orderly")
    client = APIClient()
    login = client.post("/api/v2/login/", HTTP_AUTHORIZATION=f"token {key}")
    bearer = login.json()["access_token"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer}")

    # when it posts a run with a JSON body and no Content-Type
    response = client.generic(
        "POST", "/api/v2/reports/labels/run/", json.dumps({"params": {"method": "glad"}}), content_type=""
    )

    # then the body was read as JSON
    queued = data(response)
    assert ReportRun.objects.get(key=queued["key"]).parameters["method"] == "glad"
    assert queued["path"] == f"/api/v2/reports/{queued['key']}/status/"
    assert data(client.get("/api/v2/reports/"))[0]["name"] in {"labels", "other"}


def test_every_error_item_has_both_pairs_of_keys(world):
    response = token_client(world["owner"]).get("/api/v1/reports/nope/")
    assert response.status_code == 404
    (item,) = response.json()["errors"]
    assert item["code"] == item["error"] == "unknown-report" and item["message"] == item["detail"]
    unknown = APIClient().get("/api/v2/no/such/route/")
    assert unknown.status_code in (401, 404) and unknown.json()["errors"][0]["error"]


@pytest.mark.parametrize(
    "body, code, field",
    [
        ({"name": "x", "kind": "astrology", "scope": "campaign", "scope_id": 1}, "unknown-kind", "kind"),
        (
            {
                "name": "x",
                "kind": "aggregate",
                "scope": "campaign",
                "scope_id": 1,
                "parameters": {"method": 3},
            },
            "invalid-parameter",
            "params.method",
        ),
        (
            {
                "name": "x",
                "kind": "aggregate",
                "scope": "campaign",
                "scope_id": 1,
                "parameters": {"method": "vibes"},
            },
            "invalid-choice",
            "params.method",
        ),
        (
            {
                "name": "x",
                "kind": "aggregate",
                "scope": "campaign",
                "scope_id": 1,
                "parameters": {"colour": "red"},
            },
            "unknown-parameter",
            "params.colour",
        ),
        ({"name": "x", "kind": "progress", "scope": "galaxy", "scope_id": 1}, "invalid-choice", "scope"),
        ({"name": "bad name!", "kind": "progress", "scope": "campaign", "scope_id": 1}, "invalid", "name"),
    ],
)
def test_bad_report_definitions_are_refused_with_the_field_at_fault(world, body, code, field):
    if body.get("scope_id") == 1:
        body["scope_id"] = world["campaign"].pk
    before = Report.objects.count()
    response = token_client(world["owner"]).post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400, response.json()
    item = response.json()["errors"][0]
    assert item["code"] == code and item["field"] == field
    assert Report.objects.count() == before


def test_a_duplicate_name_is_409_and_a_foreign_campaign_is_404(world):
    client = token_client(world["owner"])
    body = {"name": "labels", "kind": "progress", "scope": "campaign", "scope_id": world["campaign"].pk}
    assert client.post("/api/v1/reports/", body, format="json").status_code == 409
    stranger = token_client(UserFactory())
    body["name"] = "spy"
    assert stranger.post("/api/v1/reports/", body, format="json").status_code == 404
    assert not Report.objects.filter(name="spy").exists()


@pytest.mark.parametrize(
    "query, body, code",
    [
        ("?timeout=abc", {}, "invalid-number"),
        ("?timeout=0", {}, "out-of-range"),
        ("", {"params": {"max_labels": "many"}}, "invalid-parameter"),
        ("", {"params": {"states": "approved"}}, "invalid-parameter"),
        ("", {"changelog": {"message": "", "type": "public"}}, "invalid-changelog"),
    ],
)
def test_bad_runs_are_refused_and_nothing_is_queued(world, query, body, code):
    before = ReportRun.objects.count()
    response = token_client(world["owner"]).post(f"/api/v1/reports/labels/run/{query}", body, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == code
    assert ReportRun.objects.count() == before


# The OrderlyWeb permission matrix: each route with every permission it needs.
def _routes(world):
    published = world["published"].id
    base = f"/api/v1/reports/labels/versions/{published}"

    def fresh_run_key():
        return report_run_queue(user=world["owner"], report=world["report"]).key

    return [
        ("get", "/api/v1/reports/labels/", {READ}),
        ("get", "/api/v1/reports/labels/latest/changelog/", {READ}),
        ("get", f"{base}/", {READ}),
        ("get", f"{base}/artefacts/", {READ}),
        ("get", f"{base}/artefacts/aggregate.csv/", {READ}),
        ("get", f"{base}/resources/", {READ}),
        ("get", f"{base}/data/", {READ}),
        ("get", f"{base}/data/aggregate/", {READ}),
        ("get", f"{base}/all/", {READ}),
        ("get", f"{base}/changelog/", {READ}),
        ("post", f"{base}/publish/", {REVIEW}),
        ("post", "/api/v1/reports/labels/run/", {RUN}),
        ("get", lambda: f"/api/v1/reports/{fresh_run_key()}/status/", {RUN}),
        ("delete", lambda: f"/api/v1/reports/{fresh_run_key()}/kill/", {RUN}),
        ("post", "/api/v1/bundle/pack/labels/", {RUN}),
    ]


def _call(client, method, url):
    url = url() if callable(url) else url
    return (
        getattr(client, method)(url, {}, format="json") if method == "post" else getattr(client, method)(url)
    )


def test_permission_matrix(world):
    user = UserFactory()
    client = token_client(user)
    report_id, other_id = world["report"].pk, world["other"].pk

    def grant(names, scope_id):
        PermissionGrant.objects.filter(user=user).delete()
        for name in names:
            PermissionGrant.objects.create(
                user=user, name=name, scope="report" if scope_id else "*", scope_id=scope_id
            )

    for method, url, needed in _routes(world):
        label = f"{method} {url if isinstance(url, str) else 'run route'}"
        # with all its permissions, scoped to the report: 200
        grant(needed, report_id)
        assert _call(client, method, url).status_code == 200, label
        # each one removed (scoped and global forms): 403 (404 for version routes that hide drafts)
        for missing in needed:
            grant(needed - {missing}, report_id)
            assert _call(client, method, url).status_code in (403, 404), f"{label} without {missing}"
        # scoped to another report: 403
        grant(needed, other_id)
        assert _call(client, method, url).status_code == 403, f"{label} scoped elsewhere"
        # the global form: 200
        grant(needed, None)
        assert _call(client, method, url).status_code == 200, f"{label} global"


def test_anonymous_callers_are_401_in_the_envelope(world):
    response = APIClient().get("/api/v1/reports/")
    assert response.status_code == 401 and response.json()["status"] == "failure"
