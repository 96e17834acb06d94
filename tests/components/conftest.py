"""Screens, jobs and campaigns of jobs for the component tests."""

import io
import struct
import zlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.money import wallet_deposit, wallet_set_commission_rate
from campaigns.services import campaign_create, campaign_publish
from projects.screens import job_create, screen_create
from tasks.jobs import campaign_jobs_add
from tests.factories import ProjectFactory

FIRST = [
    {"type": "Text", "style": "Question", "text": "Is there a cat?"},
    {"type": "BinaryChoice", "option1": "Yes", "option2": "No"},
    {"type": "Rating", "steps": 5, "halfSteps": True},
]
SECOND = [
    {"type": "Stepper", "min": 0, "max": 10, "step": 2},
    {"type": "TextInput", "hint": "Name it", "optionalResult": True},
    {"type": "Toggle", "label": "Blurry"},
]


def png_bytes(width=2, height=2) -> bytes:
    """A real (tiny) PNG."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def wav_bytes() -> bytes:
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_job(owner, screens=(FIRST, SECOND), name="Cats"):
    made = [
        screen_create(owner=owner, name=f"Screen {i + 1}", components=list(c)) for i, c in enumerate(screens)
    ]
    return job_create(owner=owner, name=name, description="Look at pictures", screens=[s.pk for s in made])


def fund(user, amount="100.00"):
    wallet_deposit(
        user=user, amount=Decimal(amount), reason="test funds", idempotency_key=f"fund-{user.pk}-{amount}"
    )


def job_campaign(owner, *, jobs=1, payment="1.00", results_per_task=1, publish=True, job=None, **values):
    """A campaign publishing ``jobs`` jobs (the same two-screen design, separate jobs), funded and active."""
    wallet_set_commission_rate(user=owner, rate=Decimal("0.20"))
    fund(owner, "1000.00")
    project = ProjectFactory(owner=owner, html_template="")
    campaign = campaign_create(
        project=project,
        created_by=owner,
        name="Jobs",
        payment_per_result=Decimal(payment),
        results_per_task=results_per_task,
        **values,
    )
    made = [job] if job else [make_job(owner) for _ in range(jobs)]
    campaign_jobs_add(campaign=campaign, job_ids=[j.pk for j in made], by=owner)
    if publish:
        campaign = campaign_publish(campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def answers_for(job, *, rating=4.5, choice="Yes", stepper=6, toggle=True, text=None):
    from projects.selectors import job_screens

    first, second = job_screens(job_id=job.pk)
    now = timezone.now().isoformat()
    second_results = {"0": {"result": stepper}, "2": {"checked": toggle}}
    if text is not None:
        second_results["1"] = {"text": text}
    return {
        "screens": [
            {
                "screen": first.pk,
                "startedAt": now,
                "completedAt": now,
                "results": {"1": {"selectedOption": choice}, "2": {"rating": rating}},
            },
            {"screen": second.pk, "startedAt": now, "completedAt": now, "results": second_results},
        ]
    }


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {}},
    }
    return settings.MEDIA_ROOT
