"""Bundles: pack a report with its input, run it elsewhere, import it back as a version; and refuse bundles
that lie (bad hash), escape (``../``) or explode (a 1 GB member)."""

import hashlib
import io
import zipfile

import orjson
import pytest
from django.core.management import call_command

from reports.models import ReportVersion
from reports.services import report_create
from tests.conftest import token_client

from .conftest import synthetic_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    campaign, truth, _ = synthetic_campaign(tasks=15)
    found = report_create(
        user=campaign.project.owner, name="labels", kind="aggregate", scope="campaign", scope_id=campaign.pk
    )
    return found


def packed(client) -> bytes:
    response = client.post(
        "/api/v1/bundle/pack/labels/", {"params": {"method": "majority_vote"}}, format="json"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)


def completed_bundle(tmp_path, client) -> bytes:
    source, target = tmp_path / "bundle.zip", tmp_path / "completed.zip"
    source.write_bytes(packed(client))
    call_command("report_bundle_run", str(source), str(target))
    return target.read_bytes()


def import_(client, content: bytes, name="completed.zip"):
    return client.post("/api/v1/bundle/import/", {"file": io.BytesIO(content)}, format="multipart")


def test_pack_holds_the_definition_parameters_and_input(report):
    archive = zipfile.ZipFile(io.BytesIO(packed(token_client(report.owner))))
    definition = orjson.loads(archive.read("bundle.json"))
    assert (
        definition["report"]["kind"] == "aggregate" and definition["parameters"]["method"] == "majority_vote"
    )
    assert archive.read("input/results.jsonl").count(b"\n") == 75
    assert archive.read("input/tasks.jsonl").count(b"\n") == 15


def test_a_bundle_run_elsewhere_comes_back_as_a_version(report, tmp_path):
    # given a bundle packed, then run offline
    client = token_client(report.owner)
    content = completed_bundle(tmp_path, client)

    # when it is imported
    response = import_(client, content)

    # then it is a new version with the outputs the run made, their hashes checked
    assert response.status_code == 201, response.json()
    details = response.json()["data"]
    version = ReportVersion.objects.get(pk=details["id"])
    assert version.report == report and version.parameter_values["method"] == "majority_vote"
    assert {f.name for f in version.files.filter(role="artefact")} == {"aggregate.csv"}
    manifest = {
        i["name"]: i["md5"]
        for i in orjson.loads(zipfile.ZipFile(io.BytesIO(content)).read("output/manifest.json"))
    }
    assert version.files.get(role="artefact", name="aggregate.csv").md5 == manifest["aggregate.csv"]


def _rewrite(content: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        members = {name: source.read(name) for name in source.namelist()}
        for name, data in change(members).items():
            target.writestr(name, data)
    return out.getvalue()


def test_a_bundle_with_a_bad_hash_is_refused_and_nothing_stored(report, tmp_path):
    client = token_client(report.owner)
    content = completed_bundle(tmp_path, client)

    def tamper(members):
        members["output/artefact/aggregate.csv"] += b"forged,row\n"
        return members

    response = import_(client, _rewrite(content, tamper))
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "bundle-hash-mismatch"
    assert not ReportVersion.objects.exists()


def test_a_bundle_with_a_path_that_climbs_out_is_refused(report, tmp_path):
    client = token_client(report.owner)
    content = completed_bundle(tmp_path, client)

    def escape(members):
        data = b"owned"
        members["output/artefact/../../../etc/evil"] = data
        manifest = orjson.loads(members["output/manifest.json"])
        manifest.append(
            {"role": "artefact", "name": "../../../etc/evil", "size": 5, "md5": hashlib.md5(data).hexdigest()}
        )
        members["output/manifest.json"] = orjson.dumps(manifest)
        return members

    response = import_(client, _rewrite(content, escape))
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "bundle-unsafe-path"
    assert not ReportVersion.objects.exists()


def test_a_bundle_with_a_gigabyte_member_is_refused_unread(report, tmp_path, settings):
    # given a completed bundle with a member that inflates to 1 GiB (a few MB compressed)
    client = token_client(report.owner)
    content = completed_bundle(tmp_path, client)
    bomb = tmp_path / "bomb.zip"
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for name in source.namelist():
            if name != "output/manifest.json":
                target.writestr(name, source.read(name))
        zeros = b"\0" * (1 << 20)
        with target.open("output/artefact/huge.bin", "w", force_zip64=True) as member:
            for _ in range(1024):
                member.write(zeros)
        manifest = orjson.loads(source.read("output/manifest.json"))
        manifest.append({"role": "artefact", "name": "huge.bin", "size": 1 << 30, "md5": "0" * 32})
        target.writestr("output/manifest.json", orjson.dumps(manifest))

    # when it is imported
    response = import_(client, bomb.read_bytes())

    # then it is refused before the member is read, and nothing is stored
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "bundle-too-large"
    assert not ReportVersion.objects.exists()


@pytest.mark.parametrize(
    "content, code",
    [(b"not a zip", "bundle-invalid"), (None, "bundle-missing")],
)
def test_a_bundle_that_is_no_bundle_is_refused(report, content, code):
    client = token_client(report.owner)
    response = (
        import_(client, content) if content else client.post("/api/v1/bundle/import/", {}, format="multipart")
    )
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == code
