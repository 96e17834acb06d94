"""Media uploads: checked by their bytes, limited in size, stored through the storage API, served only to
those who may see them, and usable as recording and drawing results."""

import pytest
from django.test import override_settings
from django.utils import timezone

from crowdplatform.errors import ValidationFailed
from projects.screens import job_create, screen_create
from results.services import assignment_submit
from tasks.models import MediaFile, Task
from tasks.services import task_claim_next
from tests.conftest import token_client
from tests.factories import RequesterFactory, UserFactory

from .conftest import job_campaign, png_bytes, upload, wav_bytes


def files_under(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_picture_is_stored_and_served_to_its_owner(requester_client, media_root):
    response = requester_client.post(
        "/api/v1/media/", {"file": upload("cat.jpg", png_bytes())}, format="multipart"
    )
    assert response.status_code == 201
    data = response.json()["data"]
    # typed by its bytes, not by its name
    assert (data["kind"], data["content_type"]) == ("image", "image/png")
    assert data["url"] == f"/api/v1/media/{data['key']}/"
    assert files_under(media_root) == [f"{data['key']}.png"]
    served = requester_client.get(data["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png_bytes()
    assert served["X-Content-Type-Options"] == "nosniff"


def test_a_text_file_named_png_is_refused_and_nothing_is_kept(requester_client, media_root):
    response = requester_client.post(
        "/api/v1/media/",
        {"file": upload("cat.png", b"just some text, not a picture", "image/png")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unsupported-media-type"
    assert MediaFile.objects.count() == 0 and files_under(media_root) == []


def test_an_oversize_file_is_refused(requester_client, media_root, settings):
    settings.CROWD_MEDIA_MAX_BYTES = 50
    response = requester_client.post(
        "/api/v1/media/", {"file": upload("big.png", png_bytes(8, 8))}, format="multipart"
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "file-too-large"
    assert MediaFile.objects.count() == 0 and files_under(media_root) == []
    # and a body declared far larger is refused before it is read
    response = requester_client.generic("POST", "/api/v1/media/", b"", CONTENT_LENGTH=str(10**9))
    assert response.status_code == 413


def test_no_file_is_a_400(requester_client, media_root):
    response = requester_client.post("/api/v1/media/", {}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "file"


def test_component_media_is_refused_to_anonymous_and_foreign_users(
    requester, requester_client, anon_client, media_root
):
    data = requester_client.post(
        "/api/v1/media/", {"file": upload("a.png", png_bytes())}, format="multipart"
    ).json()["data"]
    # a screen shows it, in a job of a published campaign
    screen = screen_create(owner=requester, name="S", components=[{"type": "Image", "url": data["url"]}])
    assert list(screen.media_refs.values_list("key", flat=True)) == [data["key"]]
    job = job_create(owner=requester, name="J", screens=[screen.pk])
    # anonymous: refused; another requester and a worker not offered the job: as if it did not exist
    assert anon_client.get(data["url"]).status_code in (401, 403)
    assert token_client(RequesterFactory()).get(data["url"]).status_code == 404
    outsider = UserFactory()
    assert token_client(outsider).get(data["url"]).status_code == 404
    # a worker offered the campaign that shows it may see it
    job_campaign(requester, job=job)
    assert token_client(outsider).get(data["url"]).status_code == 200


def test_a_worker_uploads_a_recording_for_their_own_open_assignment(requester, media_root):
    campaign = job_campaign(requester)
    worker, other = UserFactory(), UserFactory()
    assignment = task_claim_next(campaign_id=campaign.pk, worker=worker)
    client = token_client(worker)
    url = f"/api/v1/work/assignments/{assignment.pk}/media/"
    response = client.post(url, {"file": upload("take.aac", wav_bytes())}, format="multipart")
    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["kind"], data["content_type"]) == ("audio", "audio/x-wav")
    # not for somebody else's assignment
    refused = token_client(other).post(url, {"file": upload("x.wav", wav_bytes())}, format="multipart")
    assert refused.status_code == 404
    # the requester of the campaign may hear it; another requester may not
    assert token_client(requester).get(data["url"]).status_code == 200
    assert token_client(RequesterFactory()).get(data["url"]).status_code == 404
    assert token_client(other).get(data["url"]).status_code == 404


RECORDING_SCREEN = [
    {"type": "AudioRecording", "minDurationInSeconds": 1, "maxDurationInSeconds": 20},
    {"type": "ImageMarker", "url": "https://example.org/street.jpg"},
]


def _recording_job(requester):
    screen = screen_create(owner=requester, name="Record", components=RECORDING_SCREEN)
    return job_create(owner=requester, name="Rec", screens=[screen.pk]), screen


def _answers(screen, audio, drawing):
    now = timezone.now().isoformat()
    return {
        "screens": [
            {
                "screen": screen.pk,
                "startedAt": now,
                "completedAt": now,
                "results": {"0": {"url": audio}, "1": {"url": drawing}},
            }
        ]
    }


@pytest.mark.usefixtures("claim_path")
def test_recording_and_drawing_results_must_be_the_workers_own_files_of_the_right_kind(requester, media_root):
    job, screen = _recording_job(requester)
    campaign = job_campaign(requester, job=job, results_per_task=2)
    worker, other = UserFactory(), UserFactory()
    mine = task_claim_next(campaign_id=campaign.pk, worker=worker)
    theirs = task_claim_next(campaign_id=campaign.pk, worker=other)
    client = token_client(worker)

    def send(assignment, name, content, who=client):
        path = f"/api/v1/work/assignments/{assignment.pk}/media/"
        return who.post(path, {"file": upload(name, content)}, format="multipart").json()["data"]["url"]

    audio, drawing = send(mine, "a.wav", wav_bytes()), send(mine, "d.png", png_bytes())
    foreign_audio = send(theirs, "b.wav", wav_bytes(), token_client(other))
    for bad, code in (
        (_answers(screen, drawing, drawing), "wrong-media-kind"),  # a picture is no sound
        (_answers(screen, audio, audio), "wrong-media-kind"),  # a drawing is a PNG
        (_answers(screen, foreign_audio, drawing), "media-not-found"),  # another worker's file
        (_answers(screen, "https://example.org/x.aac", drawing), "media-not-found"),  # not an upload
    ):
        with pytest.raises(ValidationFailed) as refused:
            assignment_submit(assignment_id=mine.pk, worker=worker, answers=bad)
        assert refused.value.code == code
    assert Task.objects.get(campaign=campaign).assignments.filter(state="submitted").count() == 0
    done = assignment_submit(assignment_id=mine.pk, worker=worker, answers=_answers(screen, audio, drawing))
    assert done.state == "submitted"


def test_storage_is_swappable_by_settings(requester_client, media_root):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        data = requester_client.post(
            "/api/v1/media/", {"file": upload("a.png", png_bytes())}, format="multipart"
        ).json()["data"]
        served = requester_client.get(data["url"])
        assert b"".join(served.streaming_content) == png_bytes()
    # nothing was written to the file system
    assert files_under(media_root) == []


def test_uploaded_media_is_kept_while_a_screen_refers_to_it(
    requester, requester_client, media_root, django_capture_on_commit_callbacks
):
    # given three uploads a day old: one a screen shows, one that a screen showed and no longer does, one unused
    urls = [
        requester_client.post(
            "/api/v1/media/", {"file": upload(f"{i}.png", png_bytes())}, format="multipart"
        ).json()["data"]["url"]
        for i in range(3)
    ]
    shown = screen_create(owner=requester, name="S", components=[{"type": "Image", "url": urls[0]}])
    dropped = screen_create(owner=requester, name="T", components=[{"type": "Image", "url": urls[1]}])
    from projects.screens import screen_update
    from tasks.media import media_purge_unreferenced

    screen_update(screen=dropped, components=[{"type": "Text", "text": "no picture now"}])
    later = timezone.now() + timezone.timedelta(days=2)
    # when the purge runs (twice)
    with django_capture_on_commit_callbacks(execute=True):
        removed = media_purge_unreferenced(now=later)
        again = media_purge_unreferenced(now=later)
    # then only the file a screen still shows is kept, with its stored bytes
    assert (removed, again) == (2, 0)
    kept = MediaFile.objects.get()
    assert urls[0].endswith(f"/{kept.key}/") and files_under(media_root) == [kept.file.name.rsplit("/", 1)[1]]
    assert shown.media_refs.count() == 1
    # and a fresh upload not yet in a screen is given time
    requester_client.post("/api/v1/media/", {"file": upload("new.png", png_bytes())}, format="multipart")
    assert media_purge_unreferenced() == 0


def test_no_upload_for_a_submitted_assignment(requester, media_root):
    from tests.components.conftest import answers_for

    campaign = job_campaign(requester)
    worker = UserFactory()
    assignment = task_claim_next(campaign_id=campaign.pk, worker=worker)
    assignment_submit(assignment_id=assignment.pk, worker=worker, answers=answers_for(assignment.task.job))
    response = token_client(worker).post(
        f"/api/v1/work/assignments/{assignment.pk}/media/",
        {"file": upload("a.wav", wav_bytes())},
        format="multipart",
    )
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "assignment-not-open"
    assert MediaFile.objects.count() == 0 and files_under(media_root) == []
